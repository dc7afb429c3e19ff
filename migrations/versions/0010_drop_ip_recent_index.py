"""drop the (ip_hash, created_at) index: no query reads it since the duplicate rule's fingerprint

Revision ID: 0010_drop_ip_recent_index
Revises: 0009_body_fingerprints
Create Date: 2026-11-27 19:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_drop_ip_recent_index'
down_revision = '0009_body_fingerprints'
branch_labels = None
depends_on = None


def upgrade():
    # Every comment insert maintained it; an address's comments are still found through
    # ix_comments_ip_hash_status (the moderation cards' history).
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_ip_hash_created')


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_ip_hash_created', ['ip_hash', 'created_at'], unique=False)
