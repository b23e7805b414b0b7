"""user session generation (logout and a password change end every session)

Revision ID: c4e8a1f2b6d3
Revises: aabbf6505047
Create Date: 2026-12-04 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f2b6d3'
down_revision = 'aabbf6505047'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
