-- Catalog: categories (a tree kept acyclic by a trigger), products with full-text search,
-- variants, collections and the inventory of each variant.
-- New tables only: their indexes are built in the same transaction, so no CONCURRENTLY.
-- depends: 0002_identity
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE TABLE categories (
    id            uuid        NOT NULL DEFAULT uuid_generate_v7(),
    name          text        NOT NULL,
    slug          text        NOT NULL,
    description   text,
    parent_id     uuid,
    level         integer     NOT NULL,
    path          text        NOT NULL,
    image_url     text,
    icon_url      text,
    display_order integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_pkey PRIMARY KEY (id),
    CONSTRAINT categories_parent_id_fkey FOREIGN KEY (parent_id)
        REFERENCES categories (id) ON DELETE RESTRICT,
    CONSTRAINT categories_slug_key UNIQUE (slug),
    CONSTRAINT categories_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT categories_name_check CHECK (length(name) BETWEEN 1 AND 200)
);
COMMENT ON TABLE categories IS 'Product categories as a tree (parent_id); a category with children or products cannot be deleted.';
COMMENT ON COLUMN categories.level IS 'Depth in the tree (0 for a root); kept by the categories_set_hierarchy trigger.';
COMMENT ON COLUMN categories.path IS 'Slugs from the root down, joined by / (electronics/phones); kept by trigger.';
CREATE INDEX categories_parent_id_display_order_idx ON categories (parent_id, display_order);
CREATE INDEX categories_path_idx ON categories (path text_pattern_ops);
CREATE TRIGGER categories_set_updated_at BEFORE UPDATE ON categories
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Concurrency. level and path are derived from other rows (the parent's path, and so on up),
-- so a change of the tree must never be computed from a snapshot that misses a change another
-- transaction has committed: a rename whose snapshot predates an insert below it would cascade
-- over the subtree it sees and leave the new child with the old path (electronics/phones/x
-- under tech), a move racing an insert below the moved category likewise, and two moves could
-- close a loop. Under REPEATABLE READ and SERIALIZABLE a transaction keeps the snapshot of its
-- first statement however long it waits, so a lock alone cannot prevent this.
--
-- Hence one row, category_tree_version, that every statement able to change the tree (an
-- insert, or an update of parent_id, slug, level or path) updates first, in a BEFORE
-- statement trigger, before it locks or reads any category:
-- * its row lock, held until the transaction ends, lets one transaction at a time change the
--   tree, and always taken first it cannot deadlock with the categories' own row locks;
-- * updating a row that a transaction committed after our snapshot began is refused with
--   serialization_failure (40001) under REPEATABLE READ and SERIALIZABLE: a tree change whose
--   snapshot misses another tree change can never commit; retried (db.run_in_transaction
--   does), it starts from a snapshot that has it;
-- * under READ COMMITTED the update waits for the other transaction, then goes on, and each
--   statement of the triggers below takes a new snapshot, so the ancestor walk and the cascade
--   see every committed category.
-- So once past this update, a transaction sees the whole current tree and nobody else can
-- change it until it ends: the walk up the ancestors finds any loop, and the cascade reaches
-- every descendant, whatever the isolation level. A DELETE need not take part: it changes no
-- other row's level or path (a category with children cannot be deleted), and an insert under
-- a category deleted meanwhile is refused by categories_parent_id_fkey (23503, or 40001).
CREATE TABLE category_tree_version (
    id         boolean     NOT NULL GENERATED ALWAYS AS (true) STORED,
    version    bigint      NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT category_tree_version_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE category_tree_version IS 'One row, updated by every change of the category tree: serializes them and refuses (40001) one computed from a stale snapshot.';
COMMENT ON COLUMN category_tree_version.id IS 'Always true: the primary key allows one row only.';
COMMENT ON COLUMN category_tree_version.version IS 'Incremented by each statement that changes the category tree.';
CREATE TRIGGER category_tree_version_set_updated_at BEFORE UPDATE ON category_tree_version
    FOR EACH ROW EXECUTE FUNCTION set_updated_at('id');
INSERT INTO category_tree_version DEFAULT VALUES;

CREATE FUNCTION categories_lock_hierarchy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- See Concurrency above. Without the row no change would be serialized: refuse them all.
    UPDATE category_tree_version SET version = version + 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'category_tree_version has no row: the category tree cannot be changed safely'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION categories_lock_hierarchy() IS 'BEFORE statement trigger: updates category_tree_version, so one transaction at a time, with a current snapshot, changes the category tree.';

CREATE FUNCTION categories_set_hierarchy() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent   categories%ROWTYPE;
    ancestor uuid;
    seen     uuid[] := '{}';
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.level := 0;
        NEW.path := NEW.slug;
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        -- Up from the new parent to its root (current: see Concurrency above).
        ancestor := NEW.parent_id;
        WHILE ancestor IS NOT NULL LOOP
            IF ancestor = NEW.id OR ancestor = ANY (seen) THEN
                -- (ANY (seen): a loop above the new parent, which these checks never let in.)
                RAISE EXCEPTION 'category % cannot be moved under its own descendant', NEW.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_parent_id_cycle_check',
                          TABLE = 'categories', COLUMN = 'parent_id', SCHEMA = TG_TABLE_SCHEMA;
            END IF;
            seen := seen || ancestor;
            SELECT c.parent_id INTO ancestor FROM categories c WHERE c.id = ancestor;
        END LOOP;
    END IF;
    SELECT * INTO parent FROM categories WHERE id = NEW.parent_id;
    -- A missing parent is left to categories_parent_id_fkey to report.
    NEW.level := coalesce(parent.level + 1, 0);
    NEW.path := coalesce(parent.path || '/', '') || NEW.slug;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION categories_set_hierarchy() IS 'BEFORE trigger: refuses category cycles, computes level and path from the parent.';

CREATE FUNCTION categories_cascade_path() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Each child's categories_set_hierarchy trigger recomputes its level and path, and so on down.
    UPDATE categories SET path = NEW.path || '/' || slug WHERE parent_id = NEW.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION categories_cascade_path() IS 'AFTER trigger: when a category''s path changes, recompute its subtree.';

CREATE TRIGGER categories_lock_hierarchy BEFORE INSERT OR UPDATE OF parent_id, slug, level, path
    ON categories FOR EACH STATEMENT EXECUTE FUNCTION categories_lock_hierarchy();
CREATE TRIGGER categories_set_hierarchy BEFORE INSERT OR UPDATE OF parent_id, slug, level, path
    ON categories FOR EACH ROW EXECUTE FUNCTION categories_set_hierarchy();
CREATE TRIGGER categories_cascade_path AFTER UPDATE ON categories
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION categories_cascade_path();

CREATE FUNCTION products_search_document(title text, summary text, description text, keywords text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- 'simple': no language-specific stemming, the catalogue is multilingual.
    SELECT setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(array_to_string(keywords, ' '), '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')
$$;
COMMENT ON FUNCTION products_search_document(text, text, text, text[]) IS 'The weighted tsvector of a product: title and keywords A, summary B, description C.';

CREATE TABLE products (
    id               uuid          NOT NULL DEFAULT uuid_generate_v7(),
    title            text          NOT NULL,
    slug             text          NOT NULL,
    sku              text,
    description      text,
    summary          text,
    status           text          NOT NULL DEFAULT 'DRAFT',
    price            numeric(12,2) NOT NULL,
    compare_at_price numeric(12,2),
    currency         text          NOT NULL DEFAULT 'TRY',
    inventory_policy text          NOT NULL DEFAULT 'TRACK',
    search_keywords  text[]        NOT NULL DEFAULT '{}',
    attributes       jsonb         NOT NULL DEFAULT '{}',
    search_vector    tsvector      NOT NULL
        GENERATED ALWAYS AS (products_search_document(title, summary, description, search_keywords)) STORED,
    version          integer       NOT NULL DEFAULT 1,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    CONSTRAINT products_pkey PRIMARY KEY (id),
    CONSTRAINT products_slug_key UNIQUE (slug),
    CONSTRAINT products_sku_key UNIQUE (sku),
    CONSTRAINT products_title_check CHECK (length(title) BETWEEN 1 AND 300),
    CONSTRAINT products_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT products_status_check CHECK (status IN ('DRAFT', 'ACTIVE', 'ARCHIVED')),
    CONSTRAINT products_price_check CHECK (price >= 0),
    CONSTRAINT products_compare_at_price_check CHECK (compare_at_price >= 0),
    CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT products_inventory_policy_check CHECK (inventory_policy IN ('TRACK', 'CONTINUE', 'DENY')),
    CONSTRAINT products_attributes_check CHECK (jsonb_typeof(attributes) = 'object'),
    CONSTRAINT products_version_check CHECK (version >= 1)
);
COMMENT ON TABLE products IS 'Sellable products; soft-deleted through deleted_at; version for optimistic locking.';
COMMENT ON COLUMN products.search_vector IS 'Title and keywords weigh A, summary B, description C; query it with the simple config: websearch_to_tsquery(''simple'', ...).';
COMMENT ON COLUMN products.version IS 'Optimistic locking: every update sets version = version + 1 WHERE version = expected.';
CREATE INDEX products_status_created_at_idx ON products (status, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX products_search_vector_idx ON products USING gin (search_vector)
    WHERE deleted_at IS NULL;
CREATE INDEX products_deleted_at_idx ON products (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TRIGGER products_set_updated_at BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION set_updated_at('search_vector');

CREATE TABLE product_variants (
    id               uuid          NOT NULL DEFAULT uuid_generate_v7(),
    product_id       uuid          NOT NULL,
    title            text          NOT NULL,
    sku              text          NOT NULL,
    price            numeric(12,2) NOT NULL,
    compare_at_price numeric(12,2),
    stock            integer       NOT NULL DEFAULT 0,
    attributes       jsonb         NOT NULL DEFAULT '{}',
    weight_grams     integer,
    is_primary       boolean       NOT NULL DEFAULT false,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT product_variants_pkey PRIMARY KEY (id),
    CONSTRAINT product_variants_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT product_variants_sku_key UNIQUE (sku),
    CONSTRAINT product_variants_price_check CHECK (price >= 0),
    CONSTRAINT product_variants_compare_at_price_check CHECK (compare_at_price >= 0),
    CONSTRAINT product_variants_stock_check CHECK (stock >= 0),
    CONSTRAINT product_variants_weight_grams_check CHECK (weight_grams >= 0),
    CONSTRAINT product_variants_attributes_check CHECK (jsonb_typeof(attributes) = 'object')
);
COMMENT ON TABLE product_variants IS 'Purchasable variants of a product (size, colour...); at most one primary per product.';
CREATE INDEX product_variants_product_id_idx ON product_variants (product_id);
CREATE UNIQUE INDEX product_variants_product_id_is_primary_key ON product_variants (product_id)
    WHERE is_primary;
CREATE TRIGGER product_variants_set_updated_at BEFORE UPDATE ON product_variants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE product_categories (
    product_id  uuid        NOT NULL,
    category_id uuid        NOT NULL,
    is_primary  boolean     NOT NULL DEFAULT false,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_categories_pkey PRIMARY KEY (product_id, category_id),
    CONSTRAINT product_categories_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT product_categories_category_id_fkey FOREIGN KEY (category_id)
        REFERENCES categories (id) ON DELETE RESTRICT
);
COMMENT ON TABLE product_categories IS 'Which categories a product is in; at most one primary category per product.';
CREATE INDEX product_categories_category_id_idx ON product_categories (category_id);
CREATE UNIQUE INDEX product_categories_product_id_is_primary_key ON product_categories (product_id)
    WHERE is_primary;
CREATE TRIGGER product_categories_set_updated_at BEFORE UPDATE ON product_categories
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE collections (
    id            uuid        NOT NULL DEFAULT uuid_generate_v7(),
    name          text        NOT NULL,
    slug          text        NOT NULL,
    description   text,
    image_url     text,
    status        text        NOT NULL DEFAULT 'DRAFT',
    display_order integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT collections_pkey PRIMARY KEY (id),
    CONSTRAINT collections_slug_key UNIQUE (slug),
    CONSTRAINT collections_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT collections_status_check CHECK (status IN ('DRAFT', 'ACTIVE', 'ARCHIVED'))
);
COMMENT ON TABLE collections IS 'Curated, ordered groups of products (summer sale, new arrivals...).';
CREATE INDEX collections_status_display_order_idx ON collections (status, display_order);
CREATE TRIGGER collections_set_updated_at BEFORE UPDATE ON collections
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE product_collections (
    product_id    uuid        NOT NULL,
    collection_id uuid        NOT NULL,
    display_order integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_collections_pkey PRIMARY KEY (product_id, collection_id),
    CONSTRAINT product_collections_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT product_collections_collection_id_fkey FOREIGN KEY (collection_id)
        REFERENCES collections (id) ON DELETE CASCADE
);
COMMENT ON TABLE product_collections IS 'The products of a collection, in display order.';
CREATE INDEX product_collections_collection_id_display_order_idx
    ON product_collections (collection_id, display_order);
CREATE TRIGGER product_collections_set_updated_at BEFORE UPDATE ON product_collections
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE inventory (
    id                  uuid        NOT NULL DEFAULT uuid_generate_v7(),
    product_variant_id  uuid        NOT NULL,
    quantity_on_hand    integer     NOT NULL DEFAULT 0,
    quantity_reserved   integer     NOT NULL DEFAULT 0,
    quantity_available  integer     NOT NULL
        GENERATED ALWAYS AS (quantity_on_hand - quantity_reserved) STORED,
    low_stock_threshold integer     NOT NULL DEFAULT 0,
    version             integer     NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inventory_pkey PRIMARY KEY (id),
    CONSTRAINT inventory_product_variant_id_fkey FOREIGN KEY (product_variant_id)
        REFERENCES product_variants (id) ON DELETE CASCADE,
    CONSTRAINT inventory_product_variant_id_key UNIQUE (product_variant_id),
    CONSTRAINT inventory_quantity_on_hand_check CHECK (quantity_on_hand >= 0),
    CONSTRAINT inventory_quantity_reserved_check CHECK (quantity_reserved >= 0),
    CONSTRAINT inventory_quantity_reserved_on_hand_check CHECK (quantity_reserved <= quantity_on_hand),
    CONSTRAINT inventory_low_stock_threshold_check CHECK (low_stock_threshold >= 0),
    CONSTRAINT inventory_version_check CHECK (version >= 1)
);
COMMENT ON TABLE inventory IS 'Stock of one variant: on hand, reserved by open orders, available; version for optimistic locking.';
COMMENT ON COLUMN inventory.quantity_available IS 'Never negative, since reserved <= on hand; read-only.';
CREATE TRIGGER inventory_set_updated_at BEFORE UPDATE ON inventory
    FOR EACH ROW EXECUTE FUNCTION set_updated_at('quantity_available');
