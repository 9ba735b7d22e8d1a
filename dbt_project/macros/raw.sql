{#- Rows of a raw dlt table that arrived in a completed load (D10): a load that failed part-way
    can leave rows that its retry loads again. -#}
{% macro completed_load_rows(source_name, table_name) -%}
    select *
    from {{ source(source_name, table_name) }}
    where _dlt_load_id in (
        select load_id
        from {{ source(source_name, '_dlt_loads') }}
        where status = 0
    )
{%- endmacro %}

{#- The queue_log data field (data1..data5) whose number is in `field_number`, as a number. -#}
{% macro queue_log_data_field(field_number, prefix='') -%}
    case {{ field_number }}
        {%- for n in range(1, 6) %}
        when {{ n }} then {{ safe_cast_number(prefix ~ 'data' ~ n) }}
        {%- endfor %}
    end
{%- endmacro %}

{#- The declared columns of a raw dlt table that may not exist yet (D13): a source that is not
    configured has no tables, and dlt creates a column or a child table only when a value first
    arrives. `columns` maps each column to its SQL type; a missing column is a typed NULL, a missing
    table gives no rows. With `completed_only`, only rows of completed loads (D10) are kept (child
    tables have no `_dlt_load_id`: they follow their parent). In a dbt unit test the source is the
    test's given rows, which have every column. -#}
{% macro raw_table(source_name, table_name, columns, completed_only=true) -%}
    {%- set src = source(source_name, table_name) -%}
    {%- set is_fixture = src.schema is none -%}
    {%- set relation = none -%}
    {%- if is_fixture -%}
        {#- A dbt unit test's given rows (a CTE): every declared column is there. -#}
        {%- set relation = src -%}
        {%- set present = columns.keys() | map('lower') | list -%}
    {%- elif execute -%}
        {%- set relation = adapter.get_relation(database=src.database, schema=src.schema, identifier=src.identifier) -%}
        {%- if relation is not none -%}
            {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- endif -%}
    {%- endif -%}
    {%- if relation is none -%}
    select
        {%- for name, type in columns.items() %}
        cast(null as {{ type }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else -%}
    select
        {%- for name, type in columns.items() %}
        {% if name | lower in present -%}
        cast({{ adapter.quote(name) }} as {{ type }})
        {%- else -%}
        cast(null as {{ type }})
        {%- endif %} as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- if completed_only %}
    where _dlt_load_id in (
        select load_id
        from {{ source(source_name, '_dlt_loads') }}
        where status = 0
    )
    {%- endif %}
    {%- endif %}
{%- endmacro %}
