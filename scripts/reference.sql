-- Renders README.md's table reference from stacklite_tables, stacklite_columns and
-- stacklite_functions (see scripts/readme-reference.sh, which splices it in).
.mode list
.headers off
WITH t AS (SELECT rowid AS r, * FROM stacklite_tables)
SELECT line FROM (
  SELECT r AS tr, 0 AS part, 0 AS k,
         '### `' || table_name || '` (' || provider || ')' || char(10) || char(10) ||
         description || ' Required: ' ||
         CASE WHEN required = '' THEN 'nothing' ELSE (SELECT group_concat('`' || value || '`', ', ')
                                                     FROM json_each('["' || replace(required, ', ', '","') || '"]')) END ||
         '. DELETE: ' || CASE WHEN supports_delete THEN 'yes' ELSE 'no' END || '.' || char(10) || char(10) ||
         '```sql' || char(10) || replace(example, '; ', ';' || char(10)) || ';' || char(10) || '```' || char(10) || char(10) ||
         '| column | type | sent to the API as | description |' || char(10) || '|---|---|---|---|' AS line
    FROM t
  UNION ALL
  SELECT t.r, 1, c.cid,
         '| `' || c.column_name || '`' ||
         CASE WHEN c.hidden THEN ' (hidden' || CASE WHEN c.input THEN ' input' ELSE '' END ||
                                 CASE WHEN c.required THEN ', required' ELSE '' END || ')' ELSE '' END ||
         ' | ' || c.type || ' | ' ||
         CASE WHEN c.api_param = '' THEN '' ELSE '`' || replace(c.api_param, ', ', '`, `') || '` (' || c.operators || ')' END ||
         ' | ' || replace(c.description, '|', '\|') || ' |'
    FROM t JOIN stacklite_columns c USING (provider, table_name)
  UNION ALL
  SELECT r, 2, 0, '' FROM t
  UNION ALL
  SELECT 1000000, 0, 0, '### Write functions' || char(10) || char(10) ||
         '| function | request | description |' || char(10) || '|---|---|---|'
  UNION ALL
  SELECT 1000000, 1, rowid, '| `' || signature || '` | `' || http_method || ' ' || path || '` | ' ||
         replace(description, '|', '\|') || CASE WHEN serves_delete THEN ' Also serves `DELETE FROM ' || table_name || '`.' ELSE '' END || ' |'
    FROM stacklite_functions
) ORDER BY tr, part, k;
