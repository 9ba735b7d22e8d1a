{#- External events for the dashboards' trend charts (seed kpi_annotations): one row per event,
    with its last day filled in for one-day events. -#}
select
    starts_on,
    coalesce(ends_on, starts_on) as ends_on,
    kind,
    title,
    coalesce(detail, '') as detail
from {{ ref('kpi_annotations') }}
