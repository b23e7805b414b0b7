"""public lists: objections from the public, benchmark selection publicity, SME revocation

Revision ID: f15b0b1e0001
Revises: f15a0c0a0001
Create Date: 2026-12-04 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f15b0b1e0001'
down_revision = 'f15a0c0a0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publicity_objection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=20), nullable=False),
        sa.Column('subject_type', sa.String(length=24), nullable=False),
        sa.Column('sme_evaluation_id', sa.Integer(), nullable=True),
        sa.Column('declaration_id', sa.Integer(), nullable=True),
        sa.Column('province_code', sa.String(length=6), nullable=True),
        sa.Column('enterprise_id', sa.Integer(), nullable=True),
        sa.Column('objector_name', sa.String(length=64), nullable=False),
        sa.Column('objector_contact', sa.String(length=254), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('evidence_attachment_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('form_token_hash', sa.String(length=64), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['sme_evaluation_id'], ['sme_evaluation.id'], name='fk_publicity_objection_sme'),
        sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name='fk_publicity_objection_declaration'),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name='fk_publicity_objection_enterprise'),
        sa.ForeignKeyConstraint(['evidence_attachment_id'], ['attachment.id'], name='fk_publicity_objection_evidence'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reference'),
        sa.UniqueConstraint('form_token_hash'),
    )
    with op.batch_alter_table('publicity_objection', schema=None) as batch_op:
        batch_op.create_index('ix_publicity_objection_queue', ['subject_type', 'province_code', 'status', 'id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_publicity_objection_sme_evaluation_id'), ['sme_evaluation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_publicity_objection_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publicity_objection_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publicity_objection_status'), ['status'], unique=False)
    with op.batch_alter_table('sme_evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_publicity_ends_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('results_publicity_ends_on')
        batch_op.drop_column('results_published_at')
    with op.batch_alter_table('sme_evaluation', schema=None) as batch_op:
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_at')
    op.drop_table('publicity_objection')
