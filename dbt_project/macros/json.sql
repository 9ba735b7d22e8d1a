{#- JSON helpers for the few places raw JSON is read (SLA policy conditions). `->` and `->>` work
    on both DuckDB's json and PostgreSQL's jsonb. -#}
{% macro json_type() -%}
    {{ return(adapter.dispatch('json_type', 'cx_pipeline')()) }}
{%- endmacro %}

{% macro default__json_type() -%}jsonb{%- endmacro %}

{% macro duckdb__json_type() -%}json{%- endmacro %}

{#- One row per element of a JSON array (use in a select list). -#}
{% macro unnest_json_array(json_expr) -%}
    {{ return(adapter.dispatch('unnest_json_array', 'cx_pipeline')(json_expr)) }}
{%- endmacro %}

{% macro default__unnest_json_array(json_expr) -%}
    jsonb_array_elements({{ json_expr }})
{%- endmacro %}

{% macro duckdb__unnest_json_array(json_expr) -%}
    unnest(from_json({{ json_expr }}, '["json"]'))
{%- endmacro %}
