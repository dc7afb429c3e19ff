"""comment body fingerprints (the duplicate rule's index)

Revision ID: 0009_body_fingerprints
Revises: 0008_author_recent_indexes
Create Date: 2026-11-27 16:20:00

"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import commentsvc.models
from commentsvc.duplicates import fingerprint


# revision identifiers, used by Alembic.
revision = '0009_body_fingerprints'
down_revision = '0008_author_recent_indexes'
branch_labels = None
depends_on = None

# The duplicate rule looks one hour back: older comments never need a fingerprint. A day
# leaves room for a longer window and for clocks.
BACKFILL = timedelta(days=1)
BATCH = 5_000

_comments = sa.table(
    'comments',
    sa.column('id', sa.Integer),
    sa.column('body_source', sa.Text),
    sa.column('body_fingerprint', sa.String(32)),
    sa.column('created_at', commentsvc.models.UTCDateTime(timezone=True)),
)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_fingerprint', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_comments_body_fingerprint_created', ['body_fingerprint', 'created_at'], unique=False)

    connection = op.get_bind()
    since = commentsvc.models.utcnow() - BACKFILL
    last_id = 0
    while True:
        batch = connection.execute(
            sa.select(_comments.c.id, _comments.c.body_source)
            .where(_comments.c.created_at >= since, _comments.c.id > last_id)
            .order_by(_comments.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1][0]
        rows = [{'key': id_, 'value': fingerprint(body)} for id_, body in batch if body]
        if rows:
            connection.execute(
                _comments.update()
                .where(_comments.c.id == sa.bindparam('key'))
                .values(body_fingerprint=sa.bindparam('value')),
                rows,
            )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_body_fingerprint_created')
        batch_op.drop_column('body_fingerprint')
