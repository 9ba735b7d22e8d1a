{#- Survey invitations with their answers put on common scales (seed survey_scales; KPI sheet
    csat, nps, ces), linked to the contact they follow. -#}
with

responses as (
    select * from {{ ref('stg_surveys__responses') }}
),

scales as (
    select * from {{ ref('survey_scales') }}
)

select
    responses.survey_response_id,
    responses.tool,
    responses.survey_type,
    responses.scale,
    responses.score,
    responses.answered_at is not null and responses.score is not null as is_answered,
    case responses.contact_channel
        when 'voice' then 'call:' || responses.contact_ref
        when 'ticket' then 'ticket:' || responses.contact_ref
    end as contact_id,
    responses.contact_channel,
    responses.customer_ref,
    responses.sent_at,
    responses.answered_at,
    responses.is_resolved_answer,
    responses.has_comment,
    case when responses.survey_type = 'csat' and responses.score is not null
        then responses.score >= scales.csat_top_box_min end as is_csat_satisfied,
    case when responses.survey_type = 'csat' and responses.score is not null
        then 1 + (responses.score - scales.min_score) * 4.0 / (scales.max_score - scales.min_score) end
        as csat_score_5pt,
    case when responses.survey_type in ('tnps', 'rnps') and responses.score is not null
        then case when responses.score >= 9 then 'promoter' when responses.score <= 6 then 'detractor'
            else 'passive' end end as nps_category,
    case when responses.survey_type = 'ces' then responses.score end as ces_score,
    case when responses.survey_type = 'ces' and responses.score is not null
        then responses.score >= 5 end as is_low_effort
from responses
left join scales
    on responses.scale = scales.scale
