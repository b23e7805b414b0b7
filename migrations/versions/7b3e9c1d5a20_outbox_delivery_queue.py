"""outbox delivery queue: attempts, next attempt, lease, what the message is about

Revision ID: 7b3e9c1d5a20
Revises: 2ce65443b1da
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e9c1d5a20'
down_revision = '2ce65443b1da'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('record_type', sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('template', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_outbox_message_status_next_attempt', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_next_attempt')
        batch_op.drop_index(batch_op.f('ix_outbox_message_enterprise_id'))
        batch_op.drop_column('template')
        batch_op.drop_column('enterprise_id')
        batch_op.drop_column('record_id')
        batch_op.drop_column('record_type')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
