{#- D31: the incremental marts are rebuilt by site-local day.

    A run for the days S..E (vars cx_window_start and cx_window_end; Dagster sets them from the
    run's partitions, widened to the days of newly loaded telephony rows, as the environment
    variables CXPIPE_WINDOW_START and CXPIPE_WINDOW_END, which unlike --vars keep dbt's partial
    parsing) rebuilds the days from S minus `incremental_lookback_days` (or CXPIPE_LOOKBACK_DAYS)
    through E: their rows are deleted and built again in one transaction (strategy
    `day_window`), so events that arrive late, up to the lookback, correct the day they belong
    to, and days after E are left as they are (a backfill of old days does not touch the recent
    ones).
    Without the vars (a hand-run `dbt build`), the window starts `incremental_lookback_days`
    before the latest day the model holds and has no end. The first build, and `--full-refresh`,
    build every day. -#}

{% macro day_window_bounds(column='report_date') %}
    {%- set lookback = (env_var('CXPIPE_LOOKBACK_DAYS', '') or var('incremental_lookback_days')) | int -%}
    {%- if lookback < 0 -%}
        {{ exceptions.raise_compiler_error("incremental_lookback_days must be 0 or more, not " ~ lookback) }}
    {%- endif -%}
    {%- set start_day = var('cx_window_start', none) or env_var('CXPIPE_WINDOW_START', '') or none -%}
    {%- set end_day = var('cx_window_end', none) or env_var('CXPIPE_WINDOW_END', '') or none -%}
    {%- if start_day is not none -%}
        {%- set start_sql = dbt.dateadd('day', -lookback, "cast('" ~ start_day ~ "' as date)") -%}
    {%- else -%}
        {%- set latest = "(select max(" ~ column ~ ") from " ~ this ~ ")" -%}
        {%- set start_sql = "coalesce(" ~ dbt.dateadd('day', -lookback, latest) ~ ", cast('1900-01-01' as date))" -%}
    {%- endif -%}
    {%- if end_day is not none -%}
        {%- set end_sql = "cast('" ~ end_day ~ "' as date)" -%}
    {%- else -%}
        {%- set end_sql = "cast('9999-12-31' as date)" -%}
    {%- endif -%}
    {{ return({'start': 'cast(' ~ start_sql ~ ' as date)', 'end': end_sql}) }}
{% endmacro %}


{#- The rows an incremental run of this model builds: `true` on a full build. -#}
{% macro in_day_window(column='report_date') %}
    {%- if is_incremental() -%}
        {%- set bounds = day_window_bounds(column) -%}
        {{ column }} between {{ bounds.start }} and {{ bounds.end }}
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{#- The incremental strategy `day_window`: replace the window's days. Config `day_column` names
    the model's day column (default report_date). -#}
{% macro get_incremental_day_window_sql(arg_dict) %}
    {%- set column = config.get('day_column', 'report_date') -%}
    {%- set bounds = day_window_bounds(column) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} where {{ column }} between {{ bounds.start }} and {{ bounds.end }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
    where {{ column }} between {{ bounds.start }} and {{ bounds.end }}
{% endmacro %}
