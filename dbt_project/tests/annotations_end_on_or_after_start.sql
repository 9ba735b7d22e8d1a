{#- An annotation cannot end before it starts (a typo in the seed kpi_annotations). -#}
select * from {{ ref('dim_annotations') }} where ends_on < starts_on
