"""background task queue: the background_task table; export jobs name their task

Revision ID: f17a0b0c0001
Revises: f16a0a0e0001
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f17a0b0c0001'
down_revision = 'f16a0a0e0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'background_task',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False),
        sa.Column('progress_total', sa.Integer(), server_default='0', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('max_attempts', sa.Integer(), server_default='3', nullable=False),
        sa.Column('run_after', sa.DateTime(), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('leased_by', sa.String(length=64), nullable=True),
        sa.Column('result', sa.String(length=200), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['requested_by'], ['ab_user.id'], name='fk_background_task_user'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.create_index('ix_background_task_status_run_after', ['status', 'run_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_task_requested_by'), ['requested_by'], unique=False)
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_export_job_task_id'), ['task_id'], unique=False)
        batch_op.create_foreign_key('fk_export_job_task', 'background_task', ['task_id'], ['id'])


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_constraint('fk_export_job_task', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_export_job_task_id'))
        batch_op.drop_column('task_id')
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_task_requested_by'))
        batch_op.drop_index('ix_background_task_status_run_after')
    op.drop_table('background_task')
