{#- Everyone who is or was an agent (D15): a user whose role is agent or admin now, or anyone ever
    assigned a ticket (only agents can be assignees). A downgraded or deleted agent keeps being
    an agent in history, so the replies they wrote stay agent replies. -#}
with

users as (
    select * from {{ ref('stg_zendesk__users') }}
),

assignees as (
    select distinct cast({{ safe_cast_number('value') }} as bigint) as user_id
    from {{ ref('stg_zendesk__ticket_field_changes') }}
    where field_name = 'assignee_id'
        and value is not null
),

agent_ids as (
    select user_id from users where role in ('agent', 'admin')
    union
    select user_id from assignees where user_id is not null
)

select
    agent_ids.user_id,
    users.agent_name,
    users.role as current_role,
    coalesce(users.is_active, false) as is_active,
    coalesce(users.role in ('agent', 'admin'), false) as is_agent_now
from agent_ids
left join users
    on agent_ids.user_id = users.user_id
