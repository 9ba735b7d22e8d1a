{#- Casts that give NULL instead of failing, so one odd field in a PBX log cannot stop a build.
    (The default, for adapters without a safe cast or regex, casts and may fail on bad text.) -#}
{% macro safe_cast_number(expression) -%}
    {{ return(adapter.dispatch('safe_cast_number', 'cx_pipeline')(expression)) }}
{%- endmacro %}

{% macro default__safe_cast_number(expression) -%}
    cast(nullif(trim({{ expression }}), '') as double precision)
{%- endmacro %}

{% macro postgres__safe_cast_number(expression) -%}
    case when trim({{ expression }}) ~ '^-?[0-9]+(\.[0-9]+)?$'
         then cast(trim({{ expression }}) as double precision) end
{%- endmacro %}

{% macro duckdb__safe_cast_number(expression) -%}
    try_cast(trim({{ expression }}) as double)
{%- endmacro %}

{#- a = b where two NULLs are equal (for joining on nullable keys). -#}
{% macro null_safe_equal(a, b) -%}
    ({{ a }} = {{ b }} or ({{ a }} is null and {{ b }} is null))
{%- endmacro %}
