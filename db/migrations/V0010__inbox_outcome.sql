alter table momo_sms_inbox
add column outcome text check (
    outcome in ('allocated', 'unmatched', 'duplicate', 'skipped', 'dead_letter')
);

alter table momo_sms_inbox
add constraint momo_sms_inbox_outcome_when_processed
check ((processed_at is null) = (outcome is null));

comment on column momo_sms_inbox.outcome is
'The allocator''s final decision once processed_at is set: allocated, unmatched (a case for a '
'person), duplicate (txn id seen before), skipped (not money in from a person) or dead_letter '
'(failed too many times). last_error holds the reason for every outcome but allocated.';

create index momo_sms_inbox_outcome_idx on momo_sms_inbox (outcome, processed_at);
