-- Every live product that has variants has exactly one primary variant (seed 003 section 9.3).
-- product_variants_product_id_is_primary_key (0003) holds "at most one"; this adds "at least
-- one", checked at COMMIT by a deferred constraint trigger (so a product and its variants can
-- be written in any order in one transaction), and keeps it without the caller's help:
-- * deleting or demoting the primary variant (or moving it to another product) promotes the
--   oldest other variant (created_at, id); with none to promote, the COMMIT is refused;
-- * promoting a variant (UPDATE ... SET is_primary = true) demotes the product's current
--   primary first, so a handover is one statement. Write it for one row: a single UPDATE that
--   both promotes one variant and demotes another of the same product would touch a row the
--   trigger already changed, which PostgreSQL refuses (27000).
-- A refused COMMIT raises check_violation with CONSTRAINT product_variants_has_primary_check.
-- Soft-deleted products are left out; restoring one checks it again.
-- Only triggers and functions: no table is rewritten or locked beyond these DDL statements.
-- Depends on 0017, its predecessor by number: the chain of migrations stays linear.
-- depends: 0017_category_cycle_check
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

CREATE FUNCTION product_variants_require_primary(product uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM products p WHERE p.id = product AND p.deleted_at IS NULL)
       AND EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = product)
       AND NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = product AND v.is_primary)
    THEN
        RAISE EXCEPTION 'product % has variants but no primary variant', product
            USING ERRCODE = 'check_violation', CONSTRAINT = 'product_variants_has_primary_check',
                  TABLE = 'product_variants', COLUMN = 'is_primary', SCHEMA = current_schema(),
                  HINT = 'Mark one variant of the product as primary before committing.';
    END IF;
END
$$;
COMMENT ON FUNCTION product_variants_require_primary(uuid) IS 'Raises check_violation (product_variants_has_primary_check) when a live product has variants and none is primary.';

CREATE FUNCTION product_variants_check_primary() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM product_variants_require_primary(OLD.product_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.product_id <> OLD.product_id) THEN
        PERFORM product_variants_require_primary(NEW.product_id);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION product_variants_check_primary() IS 'Deferred constraint trigger: at COMMIT, each product a variant change touched has a primary variant.';

CREATE FUNCTION products_check_primary_variant() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM product_variants_require_primary(NEW.id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION products_check_primary_variant() IS 'Deferred constraint trigger: a restored product has a primary variant at COMMIT.';

CREATE FUNCTION product_variants_promote_primary() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.is_primary AND NEW.product_id = OLD.product_id THEN
        RETURN NULL;
    END IF;
    -- A handover (see product_variants_hand_over_primary) demotes on purpose: the new primary
    -- is about to be written.
    IF current_setting('shopdb.primary_handover', true) = OLD.product_id::text THEN
        RETURN NULL;
    END IF;
    -- A promotion racing a concurrent delete may find its candidate gone: try the next one.
    FOR attempt IN 1..3 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM product_variants v
                           WHERE v.product_id = OLD.product_id AND v.is_primary);
        UPDATE product_variants
           SET is_primary = true
         WHERE id = (SELECT v.id
                       FROM product_variants v
                      WHERE v.product_id = OLD.product_id AND NOT v.is_primary AND v.id <> OLD.id
                      ORDER BY v.created_at, v.id
                      LIMIT 1
                        FOR UPDATE);
        EXIT WHEN FOUND;
        EXIT WHEN NOT EXISTS (SELECT 1 FROM product_variants v
                               WHERE v.product_id = OLD.product_id AND v.id <> OLD.id);
    END LOOP;
    -- Nothing left to promote: product_variants_has_primary_check decides at COMMIT.
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION product_variants_promote_primary() IS 'AFTER trigger: when the primary variant is deleted, demoted or moved, the oldest remaining variant of its product becomes primary.';

CREATE FUNCTION product_variants_hand_over_primary() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('shopdb.primary_handover', NEW.product_id::text, true);
    UPDATE product_variants
       SET is_primary = false
     WHERE product_id = NEW.product_id AND is_primary AND id <> NEW.id;
    PERFORM set_config('shopdb.primary_handover', '', true);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION product_variants_hand_over_primary() IS 'BEFORE trigger: promoting a variant demotes the current primary of its product first.';

CREATE TRIGGER product_variants_hand_over_primary BEFORE UPDATE OF is_primary ON product_variants
    FOR EACH ROW WHEN (NEW.is_primary AND NOT OLD.is_primary)
    EXECUTE FUNCTION product_variants_hand_over_primary();
CREATE TRIGGER product_variants_promote_primary AFTER DELETE OR UPDATE OF is_primary, product_id
    ON product_variants FOR EACH ROW WHEN (OLD.is_primary)
    EXECUTE FUNCTION product_variants_promote_primary();
CREATE CONSTRAINT TRIGGER product_variants_has_primary_check
    AFTER INSERT OR DELETE OR UPDATE OF is_primary, product_id ON product_variants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION product_variants_check_primary();
CREATE CONSTRAINT TRIGGER products_has_primary_variant_check
    AFTER UPDATE OF deleted_at ON products
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL)
    EXECUTE FUNCTION products_check_primary_variant();
