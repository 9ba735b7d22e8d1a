{#- Time helpers. `*_at` columns are UTC instants (timestamp with time zone); reporting dates and
    intervals are wall-clock times in the site time zone (var site_timezone), applied only here. -#}

{% macro to_site_local(column) -%}
    ({{ column }} at time zone '{{ var("site_timezone") }}')
{%- endmacro %}

{#- Start of the reporting interval (var interval_minutes) that holds a site-local timestamp.
    Intervals tile the local hour, so interval_minutes must divide 60 (5, 10, 15, 20, 30, 60): an
    interval never straddles a DST change, which happens on a whole hour. -#}
{% macro local_interval_start(local_ts) -%}
    {%- set minutes = var("interval_minutes") | int -%}
    {%- if minutes < 1 or 60 % minutes != 0 -%}
        {{ exceptions.raise_compiler_error(
            "var interval_minutes=" ~ var("interval_minutes") ~ " must divide 60 (5, 10, 15, 20, 30 or 60).") }}
    {%- endif -%}
    {{ dbt.dateadd(
        'minute',
        'cast(floor(extract(minute from ' ~ local_ts ~ ') / ' ~ var("interval_minutes") ~ ') * ' ~ var("interval_minutes") ~ ' as integer)',
        dbt.date_trunc('hour', local_ts)
    ) }}
{%- endmacro %}

{#- Seconds between two timestamps of the same kind, as a number. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    ({{ epoch_seconds(end_ts) }} - {{ epoch_seconds(start_ts) }})
{%- endmacro %}

{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'cx_pipeline')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    extract(epoch from {{ ts }})
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}

{#- A UTC instant from Unix epoch seconds. -#}
{% macro from_epoch(seconds) -%}
    {{ return(adapter.dispatch('from_epoch', 'cx_pipeline')(seconds)) }}
{%- endmacro %}

{% macro default__from_epoch(seconds) -%}
    to_timestamp({{ seconds }})
{%- endmacro %}

{#- An instant shifted by a number of seconds (may be fractional or negative). -#}
{% macro add_seconds(ts, seconds) -%}
    ({{ ts }} + ({{ seconds }}) * interval '1 second')
{%- endmacro %}

{#- Day of the week of a date, 0 = Sunday ... 6 = Saturday (Zendesk's weekly intervals start on
    Sunday). -#}
{% macro day_of_week(date_expr) -%}
    cast(extract(dow from {{ date_expr }}) as integer)
{%- endmacro %}

{#- An instant after any data (for open-ended spans in range joins). -#}
{% macro far_future() -%}
    cast('9999-12-31 00:00:00+00' as timestamp with time zone)
{%- endmacro %}

{#- Rows `instant` (UTC) every `step_minutes` from start_ts to end_ts inclusive (timestamps with
    time zone). -#}
{% macro instant_series(start_ts, end_ts, step_minutes) -%}
    {{ return(adapter.dispatch('instant_series', 'cx_pipeline')(start_ts, end_ts, step_minutes)) }}
{%- endmacro %}

{% macro default__instant_series(start_ts, end_ts, step_minutes) -%}
    select instant
    from generate_series({{ start_ts }}, {{ end_ts }}, {{ step_minutes }} * interval '1 minute') as instants(instant)
{%- endmacro %}

{% macro duckdb__instant_series(start_ts, end_ts, step_minutes) -%}
    select unnest(generate_series({{ start_ts }}, {{ end_ts }}, to_minutes(cast({{ step_minutes }} as bigint)))) as instant
{%- endmacro %}

{#- The UTC instant `ts` floored to a multiple of `minutes` since the epoch. -#}
{% macro floor_instant(ts, minutes) -%}
    {{ from_epoch('floor(' ~ epoch_seconds(ts) ~ ' / ' ~ (minutes * 60) ~ ') * ' ~ (minutes * 60)) }}
{%- endmacro %}
