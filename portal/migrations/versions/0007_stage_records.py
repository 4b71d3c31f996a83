"""stage records: one row per stage a case reached, the annual report's unit of counting

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:10:21.187099
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stage_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('extended_due_on', sa.Date(), nullable=True),
    sa.Column('responded_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('theme', sa.String(length=100), nullable=True),
    sa.Column('imported', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('procedure', sa.String(length=30), nullable=False),
    sa.Column('service_area', sa.String(length=40), nullable=False),
    sa.Column('young_person', sa.Boolean(), nullable=False),
    sa.Column('with_advocate', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_stage_record_case_id_case_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_record')),
    sa.UniqueConstraint('case_id', 'stage', name='uq_stage_record_case_stage')
    )
    with op.batch_alter_table('stage_record', schema=None) as batch_op:
        batch_op.create_index('ix_stage_record_received', ['received_on', 'kind', 'procedure', 'stage', 'service_area', 'theme', 'young_person', 'with_advocate'], unique=False)
        batch_op.create_index('ix_stage_record_responded', ['responded_on', 'kind', 'procedure', 'stage', 'service_area', 'outcome', 'due_on', 'extended_due_on'], unique=False)

    op.create_index('ix_case_event_kind_at', 'case_event', ['kind', 'at'], unique=False)
    _backfill()


def _backfill() -> None:
    """One stage record per stage each existing case reached, from its stored deadlines.

    Stage 1 is received with the case; a later stage from the earliest clock of that stage
    (the escalation request). Due, extended due and responded dates come from the stage's
    latest response clock (stage 0 too for stage 1: enquiries have one unstaged clock). The
    case's kind, procedure, service area, complainant and advocate are copied as the model does.
    """
    for stage in (1, 2, 3):
        stages = '0, 1' if stage == 1 else str(stage)
        response = (
            f"FROM deadline d WHERE d.case_id = c.id AND d.kind = 'response' AND d.stage IN ({stages}) "
            "ORDER BY d.id DESC LIMIT 1"
        )
        received = (
            'c.received_on' if stage == 1 else
            f'COALESCE((SELECT MIN(d.start_on) FROM deadline d WHERE d.case_id = c.id AND d.stage = {stage}), '
            'c.received_on)'
        )
        op.execute(sa.text(
            'INSERT INTO stage_record (case_id, stage, received_on, due_on, extended_due_on, responded_on, '
            'outcome, imported, created_at, kind, procedure, service_area, young_person, with_advocate) '
            f'SELECT c.id, {stage}, {received}, '
            f'(SELECT d.due_on {response}), (SELECT d.extended_due_on {response}), (SELECT d.met_on {response}), '
            f"CASE WHEN c.status = 'withdrawn' AND c.stage = {stage} THEN 'withdrawn' END, "
            ':imported, CURRENT_TIMESTAMP, c.kind, c.procedure, c.service_area, '
            "CASE WHEN c.complainant_category = 'young_person' THEN :yes ELSE :no END, "
            "CASE WHEN c.advocate_org IS NOT NULL AND c.advocate_org != '' THEN :yes ELSE :no END "
            f'FROM case_record c WHERE c.stage >= {stage}'
        ).bindparams(imported=False, yes=True, no=False))


def downgrade() -> None:
    op.drop_index('ix_case_event_kind_at', table_name='case_event')
    with op.batch_alter_table('stage_record', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_record_responded')
        batch_op.drop_index('ix_stage_record_received')

    op.drop_table('stage_record')
