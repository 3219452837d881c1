-- Payments, saved cards and refunds. Payment rows are financial records: an order with
-- payments cannot be deleted, a payment with refunds cannot be deleted, and a payment
-- stays (user_id NULL) when its user goes.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0006_orders
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE payments (
    id                   uuid          NOT NULL DEFAULT uuid_generate_v7(),
    order_id             uuid          NOT NULL,
    user_id              uuid,
    provider             text          NOT NULL,
    status               text          NOT NULL DEFAULT 'INITIATED',
    transaction_id       text,
    conversation_id      text,
    amount               numeric(12,2) NOT NULL,
    paid_price           numeric(12,2),
    currency             text          NOT NULL DEFAULT 'TRY',
    installment          integer       NOT NULL DEFAULT 1,
    payment_channel      text,
    payment_group        text,
    card_token           text,
    card_association     text,
    card_family          text,
    bin_number           text,
    last_four_digits     text,
    three_ds_html_content text,
    ip_address           inet,
    device_id            text,
    fraud_score          numeric(5,2),
    risk_flags           jsonb,
    authorized_at        timestamptz,
    settled_at           timestamptz,
    failed_at            timestamptz,
    failure_reason       text,
    failure_code         text,
    raw_payload          jsonb,
    created_at           timestamptz   NOT NULL DEFAULT now(),
    updated_at           timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT payments_pkey PRIMARY KEY (id),
    CONSTRAINT payments_order_id_fkey FOREIGN KEY (order_id)
        REFERENCES orders (id) ON DELETE RESTRICT,
    CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT payments_transaction_id_provider_key UNIQUE (transaction_id, provider),
    CONSTRAINT payments_provider_check CHECK (provider IN ('IYZICO', 'STRIPE', 'PAYPAL', 'MANUAL')),
    CONSTRAINT payments_status_check
        CHECK (status IN ('INITIATED', 'AUTHORIZED', 'SETTLED', 'FAILED', 'REFUNDED')),
    CONSTRAINT payments_amount_check CHECK (amount >= 0),
    CONSTRAINT payments_paid_price_check CHECK (paid_price >= 0),
    CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_installment_check CHECK (installment BETWEEN 1 AND 36),
    CONSTRAINT payments_bin_number_check CHECK (bin_number ~ '^[0-9]{6,8}$'),
    CONSTRAINT payments_last_four_digits_check CHECK (last_four_digits ~ '^[0-9]{4}$'),
    CONSTRAINT payments_fraud_score_check CHECK (fraud_score BETWEEN 0 AND 100)
);
COMMENT ON TABLE payments IS 'Payment attempts of an order at a provider; one row per provider transaction.';
COMMENT ON COLUMN payments.transaction_id IS 'The provider''s transaction id; unique per provider, so webhooks can upsert.';
COMMENT ON COLUMN payments.card_token IS 'The provider''s card token; card numbers are never stored.';
CREATE INDEX payments_order_id_idx ON payments (order_id);
CREATE INDEX payments_user_id_idx ON payments (user_id);
CREATE TRIGGER payments_set_updated_at BEFORE UPDATE ON payments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE saved_cards (
    id               uuid        NOT NULL DEFAULT uuid_generate_v7(),
    user_id          uuid        NOT NULL,
    card_token       text        NOT NULL,
    card_alias       text,
    bin_number       text,
    last_four_digits text        NOT NULL,
    card_type        text,
    card_association text,
    card_family      text,
    card_bank_name   text,
    card_holder_name text,
    expiry_month     integer     NOT NULL,
    expiry_year      integer     NOT NULL,
    is_default       boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_cards_pkey PRIMARY KEY (id),
    CONSTRAINT saved_cards_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT saved_cards_card_token_key UNIQUE (card_token),
    CONSTRAINT saved_cards_bin_number_check CHECK (bin_number ~ '^[0-9]{6,8}$'),
    CONSTRAINT saved_cards_last_four_digits_check CHECK (last_four_digits ~ '^[0-9]{4}$'),
    CONSTRAINT saved_cards_expiry_month_check CHECK (expiry_month BETWEEN 1 AND 12),
    CONSTRAINT saved_cards_expiry_year_check CHECK (expiry_year BETWEEN 2000 AND 2100)
);
COMMENT ON TABLE saved_cards IS 'Tokenized cards a user saved at the payment provider; at most one default per user.';
CREATE INDEX saved_cards_user_id_idx ON saved_cards (user_id);
CREATE UNIQUE INDEX saved_cards_user_id_is_default_key ON saved_cards (user_id) WHERE is_default;
CREATE TRIGGER saved_cards_set_updated_at BEFORE UPDATE ON saved_cards
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE payment_refunds (
    id             uuid          NOT NULL DEFAULT uuid_generate_v7(),
    payment_id     uuid          NOT NULL,
    amount         numeric(12,2) NOT NULL,
    currency       text          NOT NULL DEFAULT 'TRY',
    reason         text,
    status         text          NOT NULL DEFAULT 'PENDING',
    refund_id      text,
    processed_at   timestamptz,
    failure_reason text,
    metadata       jsonb         NOT NULL DEFAULT '{}',
    created_at     timestamptz   NOT NULL DEFAULT now(),
    updated_at     timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT payment_refunds_pkey PRIMARY KEY (id),
    CONSTRAINT payment_refunds_payment_id_fkey FOREIGN KEY (payment_id)
        REFERENCES payments (id) ON DELETE RESTRICT,
    CONSTRAINT payment_refunds_refund_id_key UNIQUE (refund_id),
    CONSTRAINT payment_refunds_amount_check CHECK (amount > 0),
    CONSTRAINT payment_refunds_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payment_refunds_status_check CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    CONSTRAINT payment_refunds_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE payment_refunds IS 'Refunds of a payment, whole or partial.';
COMMENT ON COLUMN payment_refunds.refund_id IS 'The provider''s refund id; unique, so a retried refund is recorded once.';
CREATE INDEX payment_refunds_payment_id_idx ON payment_refunds (payment_id);
CREATE TRIGGER payment_refunds_set_updated_at BEFORE UPDATE ON payment_refunds
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
