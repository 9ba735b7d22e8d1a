{#- The voice KPIs of ../shared/KPI_DEFINITIONS.md, written once and used by every voice mart so
    that an interval, a day (and any later grain) count the same way. `voice_kpi_counts` aggregates
    rows of fct_queue_calls; `voice_kpi_ratios` derives the ratios from those counts, which are
    published beside them so BI tools can re-aggregate. -#}

{% macro voice_kpi_counts() -%}
    cast(count(*) as bigint) as offered,
    {{ _count_if("outcome = 'answered'") }} as answered,
    {{ _count_if("outcome = 'abandoned'") }} as abandoned,
    {{ _count_if("is_short_abandoned") }} as short_abandoned,
    {{ _count_if("is_abandoned_within_sl") }} as abandoned_within_sl,
    {{ _count_if("is_answered_within_sl") }} as answered_within_sl,
    {{ _count_if("outcome = 'timed_out'") }} as timed_out,
    {{ _count_if("outcome = 'exited_with_key'") }} as exited_with_key,
    {{ _count_if("is_exited_empty") }} as exited_empty,
    {{ _count_if("outcome = 'blocked'") }} as blocked,
    {{ _count_if("outcome = 'blocked' and blocked_reason = 'empty'") }} as blocked_empty,
    {{ _count_if("outcome = 'blocked' and blocked_reason = 'full'") }} as blocked_full,
    {{ _count_if("outcome = 'blocked' and blocked_reason = 'closed'") }} as blocked_closed,
    {{ _count_if("outcome = 'blocked' and blocked_reason = 'diverted'") }} as blocked_diverted,
    {{ _count_if("outcome = 'in_progress'") }} as in_progress,
    {{ _count_if("outcome = 'lost'") }} as lost,
    {{ _count_if("outcome = 'answered' and is_transferred") }} as transferred,
    {{ _count_if("is_handled") }} as handled,
    cast(coalesce(sum(case when outcome = 'answered' then wait_seconds end), 0) as double precision) as answered_wait_seconds,
    cast(coalesce(sum(case when outcome = 'abandoned' then wait_seconds end), 0) as double precision) as abandoned_wait_seconds,
    cast(max(wait_seconds) as double precision) as max_wait_seconds,
    cast(coalesce(sum(case when is_handled then talk_seconds end), 0) as double precision) as talk_seconds,
    cast(coalesce(sum(case when is_handled then hold_seconds end), 0) as double precision) as hold_seconds,
    cast(coalesce(sum(case when is_handled then acw_seconds end), 0) as double precision) as acw_seconds,
    cast(coalesce(sum(case when is_handled then handle_seconds end), 0) as double precision) as handle_seconds
{%- endmacro %}

{#- The count and sum columns of voice_kpi_counts, in mart order, for a final select list. -#}
{% macro voice_kpi_count_columns() -%}
    {%- set names = [
        "offered", "answered", "abandoned", "short_abandoned", "abandoned_within_sl",
        "answered_within_sl", "timed_out", "exited_with_key", "exited_empty", "blocked",
        "blocked_empty", "blocked_full", "blocked_closed", "blocked_diverted", "in_progress", "lost",
        "transferred", "handled", "answered_wait_seconds", "abandoned_wait_seconds",
        "max_wait_seconds", "talk_seconds", "hold_seconds", "acw_seconds", "handle_seconds",
    ] -%}
    {{ names | join(",\n        ") }}
{%- endmacro %}

{% macro voice_kpi_ratios() -%}
    offered - short_abandoned as offered_excluding_short_abandoned,
    abandoned - short_abandoned as abandoned_excluding_short,
    {{ safe_ratio('answered_within_sl', 'offered - short_abandoned') }} as service_level,
    {{ safe_ratio('answered_within_sl', 'answered') }} as service_level_answered_only,
    {{ safe_ratio('answered_wait_seconds', 'answered') }} as asa_seconds,
    {{ safe_ratio('abandoned_wait_seconds', 'abandoned') }} as avg_abandon_seconds,
    {{ safe_ratio('abandoned - short_abandoned', 'offered - short_abandoned') }} as abandon_rate,
    {{ safe_ratio('answered', 'offered') }} as answer_rate,
    {{ safe_ratio('transferred', 'answered') }} as transfer_rate,
    {{ safe_ratio('handle_seconds', 'handled') }} as aht_seconds
{%- endmacro %}

{% macro _count_if(condition) -%}
    cast(coalesce(sum(case when {{ condition }} then 1 else 0 end), 0) as bigint)
{%- endmacro %}
