create or replace function _momo_alloc_record_sms_failure(p_inbox_id bigint, p_message text)
returns jsonb
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_max_attempts integer := _setting('MOMO_ALLOCATOR_MAX_ATTEMPTS')::integer;
    v_backoff interval := _setting('MOMO_ALLOCATOR_RETRY_BACKOFF')::interval;
    v_message text := left(p_message, 400);
    v_attempts integer;
begin
    update momo_sms_inbox
    set
        attempts = attempts + 1,
        last_error = 'error: ' || v_message,
        next_attempt_at = now() + v_backoff * power(2, least(attempts, 12))
    where id = p_inbox_id and processed_at is null
    returning attempts into v_attempts;

    if v_attempts >= v_max_attempts then
        update momo_sms_inbox
        set
            processed_at = now(),
            outcome = 'dead_letter',
            last_error = 'dead_letter: ' || v_message,
            next_attempt_at = null
        where id = p_inbox_id;

        insert into momo_unmatched (inbox_id, reason, detail)
        values (p_inbox_id, 'dead_letter',
            format('allocation failed %s times; last error: %s', v_attempts, v_message))
        on conflict (inbox_id) where status = 'open' do nothing;
    end if;

    return jsonb_build_object(
        'inboxId', p_inbox_id::text,
        'message', v_message,
        'attempts', v_attempts,
        'deadLetter', coalesce(v_attempts >= v_max_attempts, false)
    );
end;
$$;

comment on function _momo_alloc_record_sms_failure(bigint, text) is
'Records an unexpected allocation error on one inbox row: attempts + 1, last_error, exponential '
'backoff (MOMO_ALLOCATOR_RETRY_BACKOFF); after MOMO_ALLOCATOR_MAX_ATTEMPTS the row becomes a dead '
'letter (processed, outcome dead_letter) with a momo_unmatched case for a person.';
