"""an author's newest comments by e-mail and by hashed IP (the duplicate rule)

Revision ID: 0008_author_recent_indexes
Revises: 0007_moderation_covering_indexes
Create Date: 2026-11-27 12:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_author_recent_indexes'
down_revision = '0007_moderation_covering_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_author_email_created', ['author_email', 'created_at'], unique=False)
        batch_op.create_index('ix_comments_ip_hash_created', ['ip_hash', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_ip_hash_created')
        batch_op.drop_index('ix_comments_author_email_created')
