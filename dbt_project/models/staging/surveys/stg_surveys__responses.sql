{#- One row per survey invitation (tool and response id), the latest line that described it
    (a later export of the same invitation, e.g. once answered, wins). -#}
with

source as (
    {{ raw_table('surveys', 'survey_responses', {
        'tool': 'varchar', 'response_id': 'varchar', 'survey_type': 'varchar', 'scale': 'varchar',
        'score': 'bigint', 'resolved': 'varchar', 'contact_channel': 'varchar', 'contact_ref': 'varchar',
        'customer_ref': 'varchar', 'respondent_phone_hash': 'varchar', 'respondent_email_hash': 'varchar',
        'comment': 'varchar', 'sent_at': 'timestamp with time zone', 'answered_at': 'timestamp with time zone',
        'source_file': 'varchar', 'line_number': 'bigint', '_dlt_load_id': 'varchar'
    }) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by tool, response_id
            order by answered_at desc nulls last, _dlt_load_id desc, source_file desc, line_number desc
        ) as version_rank
    from source
)

select
    tool || ':' || response_id as survey_response_id,
    tool,
    response_id,
    lower(survey_type) as survey_type,
    scale,
    score,
    case lower(resolved) when 'yes' then true when 'no' then false end as is_resolved_answer,
    lower(contact_channel) as contact_channel,
    nullif(trim(contact_ref), '') as contact_ref,
    nullif(trim(customer_ref), '') as customer_ref,
    respondent_phone_hash,
    respondent_email_hash,
    nullif(trim(comment), '') is not null as has_comment,
    sent_at,
    answered_at,
    source_file,
    line_number
from ranked
where version_rank = 1
