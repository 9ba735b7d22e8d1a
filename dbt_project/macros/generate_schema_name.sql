{#- Use the custom schema name as it is (staging, intermediate, marts, reference), so that BI
    users find the marts in the schema `marts` whatever the target's default schema is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
