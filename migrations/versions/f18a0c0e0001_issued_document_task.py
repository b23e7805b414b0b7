"""issued documents name the background task that issued them (certificate issuance on the queue);
background tasks name the record they work on (indexed)

Revision ID: f18a0c0e0001
Revises: f17a0b0c0001
Create Date: 2026-12-11 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f18a0c0e0001'
down_revision = 'f17a0b0c0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=80), nullable=True))
        batch_op.create_index('ix_background_task_subject', ['subject'], unique=False)
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_issued_document_task', ['task_id'])
        batch_op.create_foreign_key('fk_issued_document_task', 'background_task', ['task_id'], ['id'])


def downgrade():
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_constraint('fk_issued_document_task', type_='foreignkey')
        batch_op.drop_constraint('uq_issued_document_task', type_='unique')
        batch_op.drop_column('task_id')
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.drop_index('ix_background_task_subject')
        batch_op.drop_column('subject')
