"""benchmark project: other evidence as an uploaded file

Revision ID: 3f1c2a7d9b40
Revises: c4e8a1f2b6d3
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a7d9b40'
down_revision = 'c4e8a1f2b6d3'
branch_labels = None
depends_on = None


def upgrade():
    # The typed text column stays: projects saved before keep what they had.
    with op.batch_alter_table('benchmark_project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_evidence_attachment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_benchmark_project_other_evidence', 'attachment',
                                    ['other_evidence_attachment_id'], ['id'])


def downgrade():
    with op.batch_alter_table('benchmark_project', schema=None) as batch_op:
        batch_op.drop_constraint('fk_benchmark_project_other_evidence', type_='foreignkey')
        batch_op.drop_column('other_evidence_attachment_id')
