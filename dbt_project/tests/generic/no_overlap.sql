{#- Rows of the same `partition_by` group must not overlap in time: each row's [start, end) must
    end at or before the next row's start (ordered by start). Returns the rows that overlap the next. -#}
{% test no_overlap(model, partition_by, start_column, end_column) %}
with ordered as (
    select
        {{ partition_by | join(', ') }},
        {{ start_column }} as range_start,
        {{ end_column }} as range_end,
        lead({{ start_column }}) over (
            partition by {{ partition_by | join(', ') }}
            order by {{ start_column }}, {{ end_column }}
        ) as next_start
    from {{ model }}
)
select *
from ordered
where next_start < range_end
{% endtest %}
