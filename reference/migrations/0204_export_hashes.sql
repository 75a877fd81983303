-- Canonical JSON (RFC 8785) in the database: an export's hash is the SHA-256 of this text, and the
-- API's verification recomputes it here from what was stored, whatever key order jsonb keeps.
-- Keys sort by their UTF-16 code units (utf16_sort_key), as RFC 8785 says; strings are escaped as
-- jsonb escapes them, which is what RFC 8785 asks. Numbers: integers print as integers (jsonb
-- would keep 1.0 as "1.0"); other numbers print as float8 does, which is ECMAScript's form from
-- 1e-4 up to 1e15 (export bundles hold text and integers only).

-- A key's UTF-16 code units as fixed-width hex: compared with COLLATE "C" it orders keys the way
-- RFC 8785 does. Code point order (UTF-8 bytes) differs for characters above U+FFFF, whose
-- surrogates sort before U+E000..U+FFFF.
CREATE FUNCTION public.utf16_sort_key(key text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
RETURN (
  SELECT coalesce(pg_catalog.string_agg(
    CASE WHEN pg_catalog.ascii(c.ch) < 65536 THEN pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(c.ch)), 4, '0')
         ELSE pg_catalog.to_hex(55296 + ((pg_catalog.ascii(c.ch) - 65536) >> 10)) || pg_catalog.to_hex(56320 + ((pg_catalog.ascii(c.ch) - 65536) & 1023))
    END, '' ORDER BY c.ord), '')
    FROM pg_catalog.regexp_split_to_table(key, '') WITH ORDINALITY AS c(ch, ord)
);

CREATE FUNCTION public.canonical_json(value jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  n numeric;
BEGIN
  CASE pg_catalog.jsonb_typeof(value)
    WHEN 'object' THEN
      RETURN '{' || coalesce((
        SELECT pg_catalog.string_agg(pg_catalog.to_jsonb(e.key)::text || ':' || public.canonical_json(e.value), ',' ORDER BY public.utf16_sort_key(e.key) COLLATE "C")
          FROM pg_catalog.jsonb_each(value) AS e), '') || '}';
    WHEN 'array' THEN
      RETURN '[' || coalesce((
        SELECT pg_catalog.string_agg(public.canonical_json(a.value), ',' ORDER BY a.ordinality)
          FROM pg_catalog.jsonb_array_elements(value) WITH ORDINALITY AS a(value, ordinality)), '') || ']';
    WHEN 'number' THEN
      n := (value #>> '{}')::numeric;
      IF n = pg_catalog.trunc(n) AND pg_catalog.abs(n) < 1e21 THEN
        RETURN pg_catalog.trunc(n)::text;
      END IF;
      RETURN (n::float8)::text;
    ELSE
      RETURN value::text;
  END CASE;
END
$$;

-- The hash of an export's stored bundle, as the verification and shipgate's database check compute it.
CREATE FUNCTION public.export_bundle_sha256(bundle jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
RETURN pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(public.canonical_json(bundle), 'UTF8')), 'hex');
