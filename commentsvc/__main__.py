from commentsvc.cli import main

main()
