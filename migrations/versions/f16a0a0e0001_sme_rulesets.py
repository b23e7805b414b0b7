"""Tech-SME rule sets as data: sme_ruleset (the shipped 2017 set as its first row), the test
bench's runs and changes, and the set each evaluation was scored with

Revision ID: f16a0a0e0001
Revises: f15b0b1e0001
Create Date: 2026-12-04 16:00:00.000000

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f16a0a0e0001'
down_revision = 'f15b0b1e0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sme_ruleset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('document_number', sa.String(length=64), nullable=False),
        sa.Column('regulation_text', sa.Text(), nullable=True),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('builtin', sa.Boolean(), nullable=False),
        sa.Column('copied_from_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('tested_run_id', sa.Integer(), nullable=True),
        sa.Column('tested_at', sa.DateTime(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['copied_from_id'], ['sme_ruleset.id'], name='fk_sme_ruleset_copied_from'),
        sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], name='fk_sme_ruleset_created_by'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sme_ruleset_status_year', 'sme_ruleset', ['status', 'year'], unique=False)
    op.create_table(
        'ruleset_test_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ruleset_id', sa.Integer(), nullable=False),
        sa.Column('ruleset_version', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('selection_year', sa.Integer(), nullable=True),
        sa.Column('selection_province', sa.String(length=6), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['ruleset_id'], ['sme_ruleset.id'], name='fk_ruleset_test_run_ruleset'),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name='fk_ruleset_test_run_user'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ruleset_test_run_ruleset_id', 'ruleset_test_run', ['ruleset_id'], unique=False)
    op.create_table(
        'ruleset_test_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_name', sa.String(length=200), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=True),
        sa.Column('province_code', sa.String(length=6), nullable=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('old_qualified', sa.Boolean(), nullable=True),
        sa.Column('new_qualified', sa.Boolean(), nullable=True),
        sa.Column('old_total', sa.Integer(), nullable=True),
        sa.Column('new_total', sa.Integer(), nullable=True),
        sa.Column('old_points', sa.JSON(), nullable=True),
        sa.Column('new_points', sa.JSON(), nullable=True),
        sa.Column('old_path', sa.String(length=16), nullable=True),
        sa.Column('new_path', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['ruleset_test_run.id'], name='fk_ruleset_test_change_run',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['evaluation_id'], ['sme_evaluation.id'], name='fk_ruleset_test_change_evaluation'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ruleset_test_change_run_id', 'ruleset_test_change', ['run_id'], unique=False)
    with op.batch_alter_table('sme_evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ruleset_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ruleset_version', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_sme_evaluation_ruleset', 'sme_ruleset', ['ruleset_id'], ['id'])

    # The shipped 2017 set becomes the first row, and every evaluation scored so far names it.
    from rules.sme import RULES_2017, ruleset_to_json

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    table = sa.table(
        'sme_ruleset', sa.column('id', sa.Integer), sa.column('year', sa.Integer),
        sa.column('status', sa.String), sa.column('source', sa.String), sa.column('document_number', sa.String),
        sa.column('regulation_text', sa.Text), sa.column('rules', sa.JSON), sa.column('builtin', sa.Boolean),
        sa.column('version', sa.Integer), sa.column('published_at', sa.DateTime),
        sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime),
    )
    op.bulk_insert(table, [{
        'id': 1, 'year': 2017, 'status': 'published', 'source': '科技型中小企业评价办法',
        'document_number': RULES_2017.document_number, 'regulation_text': '\n'.join(RULES_2017.notes),
        'rules': ruleset_to_json(RULES_2017), 'builtin': True, 'version': 1, 'published_at': now,
        'created_at': now, 'updated_at': now,
    }])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('sme_ruleset', 'id'), 1)")
    op.execute("UPDATE sme_evaluation SET ruleset_id = 1, ruleset_version = 1 WHERE result IS NOT NULL")


def downgrade():
    with op.batch_alter_table('sme_evaluation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sme_evaluation_ruleset', type_='foreignkey')
        batch_op.drop_column('ruleset_version')
        batch_op.drop_column('ruleset_id')
    op.drop_index('ix_ruleset_test_change_run_id', table_name='ruleset_test_change')
    op.drop_table('ruleset_test_change')
    op.drop_index('ix_ruleset_test_run_ruleset_id', table_name='ruleset_test_run')
    op.drop_table('ruleset_test_run')
    op.drop_index('ix_sme_ruleset_status_year', table_name='sme_ruleset')
    op.drop_table('sme_ruleset')
