"""public portal: articles (notices, regulations, downloads, FAQ), service desks, contact data
of agencies and recommending units

Revision ID: f15a0c0a0001
Revises: 3f1c2a7d9b40
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f15a0c0a0001'
down_revision = '3f1c2a7d9b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'portal_article',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('program', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('title_zh', sa.String(length=200), nullable=False),
        sa.Column('title_en', sa.String(length=200), nullable=True),
        sa.Column('body_zh', sa.Text(), nullable=True),
        sa.Column('body_en', sa.Text(), nullable=True),
        sa.Column('publish_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('doc_number', sa.String(length=64), nullable=True),
        sa.Column('issuer_zh', sa.String(length=128), nullable=True),
        sa.Column('issuer_en', sa.String(length=128), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_portal_article_listing', 'portal_article', ['kind', 'status', 'publish_on'], unique=False)
    op.create_index(op.f('ix_portal_article_program'), 'portal_article', ['program'], unique=False)
    op.create_table(
        'service_desk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('program', sa.String(length=16), nullable=False),
        sa.Column('name_zh', sa.String(length=128), nullable=False),
        sa.Column('name_en', sa.String(length=128), nullable=True),
        sa.Column('phone', sa.String(length=64), nullable=True),
        sa.Column('email', sa.String(length=128), nullable=True),
        sa.Column('hours_zh', sa.String(length=128), nullable=True),
        sa.Column('hours_en', sa.String(length=128), nullable=True),
        sa.Column('mail_address_zh', sa.String(length=255), nullable=True),
        sa.Column('mail_address_en', sa.String(length=255), nullable=True),
        sa.Column('mail_recipient', sa.String(length=128), nullable=True),
        sa.Column('bank_account_name', sa.String(length=128), nullable=True),
        sa.Column('bank_name', sa.String(length=128), nullable=True),
        sa.Column('bank_account', sa.String(length=64), nullable=True),
        sa.Column('note_zh', sa.Text(), nullable=True),
        sa.Column('note_en', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('program'),
    )
    for table in ('agency', 'recommending_unit'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('phone', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('email', sa.String(length=128), nullable=True))
            batch_op.add_column(sa.Column('address', sa.String(length=255), nullable=True))


def downgrade():
    for table in ('recommending_unit', 'agency'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('address')
            batch_op.drop_column('email')
            batch_op.drop_column('phone')
    op.drop_table('service_desk')
    op.drop_index(op.f('ix_portal_article_program'), table_name='portal_article')
    op.drop_index('ix_portal_article_listing', table_name='portal_article')
    op.drop_table('portal_article')
