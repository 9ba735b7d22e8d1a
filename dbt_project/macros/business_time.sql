{#- Business time (KPI_DEFINITIONS.md, "business time"; D14).

    A schedule's open time is laid out as a timeline of windows (int_zendesk__business_windows):
    every local date of the schedule's zone, cut by its weekly intervals, holidays removed, each
    end converted to a UTC instant in that zone (so 08:00 is 08:00 local on both sides of a DST
    change). Each window carries the open seconds of all windows before it, which makes the
    schedule a clock: business_clock(t) = open seconds from the start of the timeline to t, and
    the business time between a and b is business_clock(b) - business_clock(a). -#}

{#- Rows `day` (date) from start_date to end_date inclusive (expressions of type date). -#}
{% macro date_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_series', 'cx_pipeline')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_series(start_date, end_date) -%}
    select cast(day as date) as day
    from generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 day') as days(day)
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date) -%}
    select cast(unnest(generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date) as day
{%- endmacro %}

{#- A local wall-clock timestamp (without time zone) in the zone named by `zone` (a column or a
    quoted literal) as a UTC instant. -#}
{% macro local_to_instant(local_ts, zone) -%}
    ({{ local_ts }} at time zone {{ zone }})
{%- endmacro %}

{#- Select every column of `points` plus `business_clock_seconds`: the schedule's open seconds
    from the start of its timeline to `points.<at_column>` (0 before the first window). `points`
    must have `schedule_id`; a NULL instant or schedule gives NULL. Each instant takes the window
    that starts last at or before it (DuckDB: an ASOF join, so the cost grows with the rows, not
    with rows x windows; elsewhere a range join). -#}
{% macro with_business_clock(points, at_column) -%}
    {{ return(adapter.dispatch('with_business_clock', 'cx_pipeline')(points, at_column)) }}
{%- endmacro %}

{% macro business_clock_value(at_column) -%}
        case
            when points.{{ at_column }} is null or points.schedule_id is null then null
            when windows.schedule_id is null then 0
            else windows.open_seconds_before + least(
                greatest({{ seconds_between('windows.window_start_at', 'points.' ~ at_column) }}, 0),
                windows.open_seconds
            )
        end
{%- endmacro %}

{% macro default__with_business_clock(points, at_column) -%}
    select
        points.*,
        {{ business_clock_value(at_column) }} as business_clock_seconds
    from {{ points }} as points
    left join {{ ref('int_zendesk__business_windows') }} as windows
        on points.schedule_id = windows.schedule_id
        and points.{{ at_column }} >= windows.window_start_at
        and (points.{{ at_column }} < windows.next_window_start_at or windows.next_window_start_at is null)
{%- endmacro %}

{% macro duckdb__with_business_clock(points, at_column) -%}
    select
        points.*,
        {{ business_clock_value(at_column) }} as business_clock_seconds
    from {{ points }} as points
    asof left join {{ ref('int_zendesk__business_windows') }} as windows
        on points.schedule_id = windows.schedule_id
        and points.{{ at_column }} >= windows.window_start_at
{%- endmacro %}
