create or replace function _momo_alloc_cases()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- One open case per SMS: a requeued SMS that is unmatched again keeps its case.
    insert into momo_unmatched (
        inbox_id, parsed_id, reason, detail, suggested_member_id, candidates
    )
    select w.inbox_id, w.parsed_id, w.reason, w.detail, w.suggested_member_id, w.candidates
    from momo_alloc_work as w
    where w.outcome = 'unmatched' and not w.released_hold
    order by w.inbox_id
    on conflict (inbox_id) where status = 'open' do nothing;
end;
$$;

comment on function _momo_alloc_cases() is
'Allocation stage, cases for people: every SMS of the batch that ended unmatched in momo_alloc_work '
'gets an open momo_unmatched case with its reason, detail, suggested member and candidates (one '
'open case per SMS).';
