-- Media: uploaded assets and their links to products and variants.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0003_catalog
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE media (
    id         uuid        NOT NULL DEFAULT uuid_generate_v7(),
    asset_id   text        NOT NULL,
    url        text        NOT NULL,
    type       text        NOT NULL,
    provider   text        NOT NULL,
    mime_type  text        NOT NULL,
    size_bytes bigint      NOT NULL,
    width      integer,
    height     integer,
    alt        text,
    caption    text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT media_pkey PRIMARY KEY (id),
    CONSTRAINT media_asset_id_key UNIQUE (asset_id),
    CONSTRAINT media_type_check CHECK (type IN ('IMAGE', 'VIDEO', 'DOCUMENT')),
    CONSTRAINT media_provider_check CHECK (provider IN ('CLOUDINARY', 'S3')),
    CONSTRAINT media_mime_type_check CHECK (mime_type ~ '^[a-z]+/[a-z0-9][a-z0-9.+-]*$'),
    CONSTRAINT media_size_bytes_check CHECK (size_bytes >= 0),
    CONSTRAINT media_width_check CHECK (width > 0),
    CONSTRAINT media_height_check CHECK (height > 0),
    CONSTRAINT media_url_check CHECK (url ~ '^https?://')
);
COMMENT ON TABLE media IS 'Assets stored at a provider (Cloudinary, S3), identified by the provider''s asset id.';
COMMENT ON COLUMN media.asset_id IS 'The provider''s id of the asset (Cloudinary public_id, S3 key).';
CREATE TRIGGER media_set_updated_at BEFORE UPDATE ON media
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE product_media (
    product_id uuid        NOT NULL,
    media_id   uuid        NOT NULL,
    sort_order integer     NOT NULL DEFAULT 0,
    is_primary boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_media_pkey PRIMARY KEY (product_id, media_id),
    CONSTRAINT product_media_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT product_media_media_id_fkey FOREIGN KEY (media_id)
        REFERENCES media (id) ON DELETE CASCADE,
    CONSTRAINT product_media_sort_order_check CHECK (sort_order >= 0)
);
COMMENT ON TABLE product_media IS 'The media of a product in display order; at most one primary per product.';
CREATE INDEX product_media_media_id_idx ON product_media (media_id);
CREATE UNIQUE INDEX product_media_product_id_is_primary_key ON product_media (product_id)
    WHERE is_primary;
CREATE TRIGGER product_media_set_updated_at BEFORE UPDATE ON product_media
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE variant_media (
    variant_id uuid        NOT NULL,
    media_id   uuid        NOT NULL,
    sort_order integer     NOT NULL DEFAULT 0,
    is_primary boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT variant_media_pkey PRIMARY KEY (variant_id, media_id),
    CONSTRAINT variant_media_variant_id_fkey FOREIGN KEY (variant_id)
        REFERENCES product_variants (id) ON DELETE CASCADE,
    CONSTRAINT variant_media_media_id_fkey FOREIGN KEY (media_id)
        REFERENCES media (id) ON DELETE CASCADE,
    CONSTRAINT variant_media_sort_order_check CHECK (sort_order >= 0)
);
COMMENT ON TABLE variant_media IS 'The media of a variant in display order; at most one primary per variant.';
CREATE INDEX variant_media_media_id_idx ON variant_media (media_id);
CREATE UNIQUE INDEX variant_media_variant_id_is_primary_key ON variant_media (variant_id)
    WHERE is_primary;
CREATE TRIGGER variant_media_set_updated_at BEFORE UPDATE ON variant_media
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
