"""initial data model

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=True),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_index('ix_audit_entries_customer_id_id', 'audit_entries', ['customer_id', 'id'], unique=False)
    op.create_table('customers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('country', sa.String(length=100), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('line1', sa.String(length=300), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('order_count', sa.Integer(), nullable=False),
    sa.Column('total_spent_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('first_order_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_order_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    op.create_index(op.f('ix_customers_last_order_at'), 'customers', ['last_order_at'], unique=False)
    op.create_table('idempotency_records',
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('subject', 'key', name=op.f('pk_idempotency_records'))
    )
    op.create_index(op.f('ix_idempotency_records_created_at'), 'idempotency_records', ['created_at'], unique=False)
    op.create_table('jobs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('requested_by', sa.String(length=200), nullable=True),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index(op.f('ix_jobs_customer_id'), 'jobs', ['customer_id'], unique=False)
    op.create_index('ix_jobs_dedupe_key_status', 'jobs', ['dedupe_key', 'status'], unique=False)
    op.create_table('scoring_models',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('log_likelihood', sa.Float(), nullable=False),
    sa.Column('r', sa.Float(), nullable=False),
    sa.Column('alpha', sa.Float(), nullable=False),
    sa.Column('a', sa.Float(), nullable=False),
    sa.Column('b', sa.Float(), nullable=False),
    sa.Column('p', sa.Float(), nullable=True),
    sa.Column('q', sa.Float(), nullable=True),
    sa.Column('gamma', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_models'))
    )
    op.create_index(op.f('ix_scoring_models_fitted_at'), 'scoring_models', ['fitted_at'], unique=False)
    op.create_table('segments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('filter', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('name', name=op.f('uq_segments_name'))
    )
    op.create_table('sla_policies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('first_response_minutes', sa.Integer(), nullable=True),
    sa.Column('resolution_minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('category', name=op.f('uq_sla_policies_category')),
    sa.UniqueConstraint('priority', name=op.f('uq_sla_policies_priority'))
    )
    op.create_table('suppressed_profile_keys',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('suppressed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'external_id', name=op.f('pk_suppressed_profile_keys'))
    )
    op.create_index(op.f('ix_suppressed_profile_keys_customer_id'), 'suppressed_profile_keys', ['customer_id'], unique=False)
    op.create_table('tiers',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('min_spend_12m_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('points_multiplier', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_tiers')),
    sa.UniqueConstraint('rank', name=op.f('uq_tiers_rank'))
    )
    op.create_table('channel_profiles',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('member_card', sa.String(length=64), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('country', sa.String(length=100), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('line1', sa.String(length=300), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_channel_profiles_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_profiles')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_channel_profiles_channel_external_id'))
    )
    op.create_index(op.f('ix_channel_profiles_customer_id'), 'channel_profiles', ['customer_id'], unique=False)
    op.create_table('consents',
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_consents_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'purpose', name=op.f('pk_consents'))
    )
    op.create_index('ix_consents_purpose_granted', 'consents', ['purpose', 'granted'], unique=False)
    op.create_table('customer_redirects',
    sa.Column('from_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_redirects_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_id', name=op.f('pk_customer_redirects'))
    )
    op.create_index(op.f('ix_customer_redirects_customer_id'), 'customer_redirects', ['customer_id'], unique=False)
    op.create_table('customer_scores',
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('model_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recency_days', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Integer(), nullable=True),
    sa.Column('monetary_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('r', sa.Integer(), nullable=True),
    sa.Column('f', sa.Integer(), nullable=True),
    sa.Column('m', sa.Integer(), nullable=True),
    sa.Column('rfm_segment', sa.String(length=30), nullable=True),
    sa.Column('historic_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('predicted_12m_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('expected_purchases_12m', sa.Float(), nullable=False),
    sa.Column('probability_alive', sa.Float(), nullable=False),
    sa.Column('churn_risk', sa.Float(), nullable=False),
    sa.Column('lifecycle_stage', sa.String(length=20), nullable=False),
    sa.Column('value_tier', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_scores_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['scoring_models.id'], name=op.f('fk_customer_scores_model_id_scoring_models')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_scores'))
    )
    op.create_index('ix_customer_scores_churn_risk', 'customer_scores', ['churn_risk'], unique=False)
    op.create_index('ix_customer_scores_lifecycle_stage', 'customer_scores', ['lifecycle_stage'], unique=False)
    op.create_index('ix_customer_scores_rfm_segment', 'customer_scores', ['rfm_segment'], unique=False)
    op.create_index('ix_customer_scores_value_tier', 'customer_scores', ['value_tier'], unique=False)
    op.create_table('job_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_outbox_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox'))
    )
    op.create_index('ix_job_outbox_dispatched_at_id', 'job_outbox', ['dispatched_at', 'id'], unique=False)
    op.create_index(op.f('ix_job_outbox_job_id'), 'job_outbox', ['job_id'], unique=False)
    op.create_table('loyalty_accounts',
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('tier_code', sa.String(length=20), nullable=False),
    sa.Column('tier_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_loyalty_accounts_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_code'], ['tiers.code'], name=op.f('fk_loyalty_accounts_tier_code_tiers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_loyalty_accounts'))
    )
    op.create_index(op.f('ix_loyalty_accounts_tier_code'), 'loyalty_accounts', ['tier_code'], unique=False)
    op.create_table('merge_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=True),
    sa.Column('profile_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_merge_events_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_events'))
    )
    op.create_index('ix_merge_events_customer_id_at', 'merge_events', ['customer_id', 'at'], unique=False)
    op.create_table('tickets',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('requested_priority', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('at_risk_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tickets_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    op.create_index('ix_tickets_customer_id_opened_at', 'tickets', ['customer_id', 'opened_at', 'id'], unique=False)
    op.create_index('ix_tickets_status_resolution_due_at', 'tickets', ['status', 'resolution_due_at'], unique=False)
    op.create_table('consent_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('profile_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_consent_history_customer_id_customers')),
    sa.ForeignKeyConstraint(['profile_id'], ['channel_profiles.id'], name=op.f('fk_consent_history_profile_id_channel_profiles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_history'))
    )
    op.create_index('ix_consent_history_customer_id_recorded_at', 'consent_history', ['customer_id', 'recorded_at', 'id'], unique=False)
    op.create_table('identifiers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('profile_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=320), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_identifiers_customer_id_customers')),
    sa.ForeignKeyConstraint(['profile_id'], ['channel_profiles.id'], name=op.f('fk_identifiers_profile_id_channel_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identifiers')),
    sa.UniqueConstraint('profile_id', 'kind', 'value', name=op.f('uq_identifiers_profile_id_kind_value'))
    )
    op.create_index(op.f('ix_identifiers_customer_id'), 'identifiers', ['customer_id'], unique=False)
    op.create_index('ix_identifiers_kind_value', 'identifiers', ['kind', 'value'], unique=False)
    op.create_index(op.f('ix_identifiers_profile_id'), 'identifiers', ['profile_id'], unique=False)
    op.create_table('orders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('profile_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('store_code', sa.String(length=50), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['profile_id'], ['channel_profiles.id'], name=op.f('fk_orders_profile_id_channel_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_orders_channel_external_id'))
    )
    op.create_index('ix_orders_customer_id_placed_at', 'orders', ['customer_id', 'placed_at', 'id'], unique=False)
    op.create_index('ix_orders_placed_at', 'orders', ['placed_at'], unique=False)
    op.create_index(op.f('ix_orders_profile_id'), 'orders', ['profile_id'], unique=False)
    op.create_table('feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_feedback_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_feedback_order_id_orders')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_feedback_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    op.create_index('ix_feedback_customer_id_submitted_at', 'feedback', ['customer_id', 'submitted_at', 'id'], unique=False)
    op.create_index('ix_feedback_kind_submitted_at', 'feedback', ['kind', 'submitted_at'], unique=False)
    op.create_index(op.f('ix_feedback_order_id'), 'feedback', ['order_id'], unique=False)
    op.create_index(op.f('ix_feedback_ticket_id'), 'feedback', ['ticket_id'], unique=False)
    op.create_table('order_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_order_lines_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines'))
    )
    op.create_index(op.f('ix_order_lines_customer_id'), 'order_lines', ['customer_id'], unique=False)
    op.create_index(op.f('ix_order_lines_order_id'), 'order_lines', ['order_id'], unique=False)
    op.create_table('points_ledger',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delta', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remaining', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_points_ledger_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_points_ledger_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_ledger')),
    sa.UniqueConstraint('order_id', name=op.f('uq_points_ledger_order_id'))
    )
    op.create_index('ix_points_ledger_customer_id_at', 'points_ledger', ['customer_id', 'at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_points_ledger_customer_id_at', table_name='points_ledger')
    op.drop_table('points_ledger')
    op.drop_index(op.f('ix_order_lines_order_id'), table_name='order_lines')
    op.drop_index(op.f('ix_order_lines_customer_id'), table_name='order_lines')
    op.drop_table('order_lines')
    op.drop_index(op.f('ix_feedback_ticket_id'), table_name='feedback')
    op.drop_index(op.f('ix_feedback_order_id'), table_name='feedback')
    op.drop_index('ix_feedback_kind_submitted_at', table_name='feedback')
    op.drop_index('ix_feedback_customer_id_submitted_at', table_name='feedback')
    op.drop_table('feedback')
    op.drop_index(op.f('ix_orders_profile_id'), table_name='orders')
    op.drop_index('ix_orders_placed_at', table_name='orders')
    op.drop_index('ix_orders_customer_id_placed_at', table_name='orders')
    op.drop_table('orders')
    op.drop_index(op.f('ix_identifiers_profile_id'), table_name='identifiers')
    op.drop_index('ix_identifiers_kind_value', table_name='identifiers')
    op.drop_index(op.f('ix_identifiers_customer_id'), table_name='identifiers')
    op.drop_table('identifiers')
    op.drop_index('ix_consent_history_customer_id_recorded_at', table_name='consent_history')
    op.drop_table('consent_history')
    op.drop_index('ix_tickets_status_resolution_due_at', table_name='tickets')
    op.drop_index('ix_tickets_customer_id_opened_at', table_name='tickets')
    op.drop_table('tickets')
    op.drop_index('ix_merge_events_customer_id_at', table_name='merge_events')
    op.drop_table('merge_events')
    op.drop_index(op.f('ix_loyalty_accounts_tier_code'), table_name='loyalty_accounts')
    op.drop_table('loyalty_accounts')
    op.drop_index(op.f('ix_job_outbox_job_id'), table_name='job_outbox')
    op.drop_index('ix_job_outbox_dispatched_at_id', table_name='job_outbox')
    op.drop_table('job_outbox')
    op.drop_index('ix_customer_scores_value_tier', table_name='customer_scores')
    op.drop_index('ix_customer_scores_rfm_segment', table_name='customer_scores')
    op.drop_index('ix_customer_scores_lifecycle_stage', table_name='customer_scores')
    op.drop_index('ix_customer_scores_churn_risk', table_name='customer_scores')
    op.drop_table('customer_scores')
    op.drop_index(op.f('ix_customer_redirects_customer_id'), table_name='customer_redirects')
    op.drop_table('customer_redirects')
    op.drop_index('ix_consents_purpose_granted', table_name='consents')
    op.drop_table('consents')
    op.drop_index(op.f('ix_channel_profiles_customer_id'), table_name='channel_profiles')
    op.drop_table('channel_profiles')
    op.drop_table('tiers')
    op.drop_index(op.f('ix_suppressed_profile_keys_customer_id'), table_name='suppressed_profile_keys')
    op.drop_table('suppressed_profile_keys')
    op.drop_table('sla_policies')
    op.drop_table('segments')
    op.drop_index(op.f('ix_scoring_models_fitted_at'), table_name='scoring_models')
    op.drop_table('scoring_models')
    op.drop_index('ix_jobs_dedupe_key_status', table_name='jobs')
    op.drop_index(op.f('ix_jobs_customer_id'), table_name='jobs')
    op.drop_table('jobs')
    op.drop_index(op.f('ix_idempotency_records_created_at'), table_name='idempotency_records')
    op.drop_table('idempotency_records')
    op.drop_index(op.f('ix_customers_last_order_at'), table_name='customers')
    op.drop_table('customers')
    op.drop_index('ix_audit_entries_customer_id_id', table_name='audit_entries')
    op.drop_table('audit_entries')
    op.drop_table('api_keys')
