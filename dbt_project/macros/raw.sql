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
