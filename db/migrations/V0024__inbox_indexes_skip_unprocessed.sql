-- Every SMS arrives unprocessed (processed_at and outcome null), and no query
-- looks those rows up through these two indexes: the queue has its own partial
-- index (momo_sms_inbox_queue_idx), and the monitoring views ask for recent or
-- given outcomes. Indexing only processed rows spares each ingest two index
-- insertions; the allocator adds the entry when it sets processed_at.
drop index momo_sms_inbox_processed_at_idx;
create index momo_sms_inbox_processed_at_idx on momo_sms_inbox (processed_at)
where processed_at is not null;

drop index momo_sms_inbox_outcome_idx;
create index momo_sms_inbox_outcome_idx on momo_sms_inbox (outcome, processed_at)
where outcome is not null;
