-- The whole current schema, generated: do not edit. `make schema` migrates a
-- fresh database (scripts/migrate.sh) and dumps it (scripts/schema_dump.sh);
-- tests/test_schema_file.py fails when the migrations and this file disagree.
-- The fresh database is not the one pg_cron is loaded for, so the pg_cron
-- extension and its jobs (V0013, V0017, V0020, V0023) are not in it.
--
-- PostgreSQL database dump
--




--
-- Name: monitoring; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA monitoring;


--
-- Name: SCHEMA monitoring; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA monitoring IS 'Read-only views for analysts and dashboards: queues, rates, alerts, reconciliation.';


--
-- Name: plperl; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS plperl WITH SCHEMA pg_catalog;


--
-- Name: EXTENSION plperl; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION plperl IS 'PL/Perl procedural language';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: momo_alloc_work_row; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.momo_alloc_work_row AS (
	inbox_id bigint,
	sender text,
	account text,
	direction text,
	kind text,
	format text,
	provider text,
	allocatable boolean,
	amount numeric,
	currency text,
	txn_id text,
	txn_ts timestamp with time zone,
	txn_ts_from_sms boolean,
	sender_name text,
	msisdn_e164 text,
	msisdn_suffix text,
	sender_note text,
	balance numeric,
	fee numeric,
	confidence numeric,
	genuine boolean,
	balance_verified boolean,
	parsed_id bigint,
	duplicate_of bigint,
	conflicts_with bigint,
	outcome text,
	reason text,
	detail text,
	member_id uuid,
	ikimina_id uuid,
	group_currency text,
	matched_by text,
	suggested_member_id uuid,
	ledger_id bigint,
	released_hold boolean,
	candidates jsonb
);


--
-- Name: TYPE momo_alloc_work_row; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.momo_alloc_work_row IS 'One SMS in the allocator''s work table momo_alloc_work: inbox_id, the gateway sender and the receiving account, its parse (the attributes of momo_parse_row), then what the steps decide: genuine, balance_verified, parsed_id, duplicate_of (the same movement parsed before) or conflicts_with (another movement claiming its txn id), outcome, reason and detail, the member, group and group currency resolved and how (matched_by), a suggested member for a case, the ledger row, and released_hold (a credit held by an earlier run, released in this one).';


--
-- Name: momo_allocation_summary; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.momo_allocation_summary AS (
	processed integer,
	allocated integer,
	unmatched integer,
	duplicates integer,
	skipped integer,
	held integer,
	errors jsonb,
	fault jsonb
);


--
-- Name: TYPE momo_allocation_summary; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.momo_allocation_summary IS 'What one allocation batch did: SMS processed and how many ended allocated, unmatched, duplicates (inbox outcome duplicate), skipped and held; errors, one object per SMS that failed alone; fault, null unless the whole batch failed for a reason of the system. momo_allocate() returns it as jsonb (_momo_summary_jsonb: the attribute names are the keys; fault only when set).';


--
-- Name: momo_parse_row; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.momo_parse_row AS (
	direction text,
	kind text,
	format text,
	provider text,
	allocatable boolean,
	amount numeric,
	currency text,
	txn_id text,
	txn_ts timestamp with time zone,
	txn_ts_from_sms boolean,
	sender_name text,
	msisdn_e164 text,
	msisdn_suffix text,
	sender_note text,
	balance numeric,
	fee numeric,
	confidence numeric
);


--
-- Name: TYPE momo_parse_row; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.momo_parse_row IS 'What reading one SMS gives: direction (in/out/null), kind, the format and provider that matched, whether it names a payer (allocatable), amount, currency, txn id and time (txn_ts_from_sms: read from the SMS, else its received_at), counterparty name and number, note, the balance and fee it states, confidence 0..1. Rows of momo_parse_sms(), _momo_parse_batch() and the allocator''s work table.';


--
-- Name: momo_sms_delivery; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.momo_sms_delivery AS (
	message text,
	msisdn text,
	received_at text,
	ingest_source text,
	metadata jsonb,
	receiving_account text,
	gateway text,
	gateway_message_id text
);


--
-- Name: TYPE momo_sms_delivery; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TYPE public.momo_sms_delivery IS 'One SMS delivery as a gateway sent it, before any check: the SMS text, the sender (msisdn), receivedAt as sent (ISO-8601 text), the ingest source, its metadata, the phone that received it, the gateway route and the gateway''s own message id. momo_sms_ingest_batch() takes an array of them.';


--
-- Name: schema_version_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.schema_version_type AS ENUM (
    'auto',
    'manual'
);


--
-- Name: _app_settings_validate(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._app_settings_validate() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    begin
        case new.value_type
            when 'integer' then
                if new.value::integer < 0 then
                    raise exception using message = 'negative';
                end if;
            when 'numeric' then
                -- a number, not NaN or an infinity
                if new.value::numeric in ('NaN', 'Infinity', '-Infinity') then
                    raise exception using message = 'not finite';
                end if;
            when 'amount' then
                -- money: the shared check (finite, positive, at most 2 decimals, in range)
                perform public._require_money(new.key, new.value::numeric);
            when 'boolean' then
                perform new.value::boolean;
            when 'interval' then
                perform new.value::interval;
            when 'timezone' then
                perform now() at time zone new.value;
            else
                null;
        end case;
    exception when others then
        raise exception 'setting %: % is not a valid %', new.key, quote_literal(new.value),
            new.value_type
            using errcode = 'MM400';
    end;
    new.updated_at := now();
    new.updated_by := session_user::text;
    return new;
end;
$$;


--
-- Name: FUNCTION _app_settings_validate(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._app_settings_validate() IS 'Trigger function: a setting''s value must parse as its declared type.';


--
-- Name: _append_only_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._append_only_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
    raise exception '% is append-only: % is not allowed', tg_table_name, lower(tg_op)
        using errcode = 'MM409',
        hint = coalesce(tg_argv[0], 'Record a compensating row instead.');
end;
$$;


--
-- Name: FUNCTION _append_only_guard(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._append_only_guard() IS 'Trigger function refusing update, delete and truncate on append-only tables.';


--
-- Name: _audit(text, text, text, text, jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._audit(p_action text, p_entity text, p_entity_id text, p_reason text, p_before jsonb, p_after jsonb) RETURNS bigint
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    insert into audit_log (action, entity, entity_id, reason, before, after)
    values (p_action, p_entity, p_entity_id, p_reason, p_before, p_after)
    returning id;
$$;


--
-- Name: FUNCTION _audit(p_action text, p_entity text, p_entity_id text, p_reason text, p_before jsonb, p_after jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._audit(p_action text, p_entity text, p_entity_id text, p_reason text, p_before jsonb, p_after jsonb) IS 'Writes one audit_log row for the current session user; returns its id.';


--
-- Name: _audit_row_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._audit_row_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_key text := coalesce(tg_argv[0], 'id');
    v_before jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    v_after jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
    v_role text := coalesce(nullif(current_setting('role'), 'none'), session_user::text);
begin
    perform public._require_audited_table(tg_relid, 'public._audit_row_change()'::regprocedure);
    if tg_op = 'UPDATE' and v_before = v_after then
        return null;  -- nothing changed
    end if;
    perform public._audit(
        tg_table_name || '_' || lower(tg_op), tg_table_name, coalesce(v_after, v_before) ->> v_key,
        coalesce(
            nullif(current_setting('app.audit_reason', true), ''),
            format('%s by role %s', lower(tg_op), v_role)
        ),
        jsonb_build_object('row', v_before, 'role', v_role),
        jsonb_build_object('row', v_after, 'role', v_role)
    );
    return null;
end;
$$;


--
-- Name: FUNCTION _audit_row_change(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._audit_row_change() IS 'Generic audit trigger (after insert, update or delete, for each row): one audit_log row per changed row with the row before and after, the login (actor) and the acting role. The reason is the session setting app.audit_reason when set (set local app.audit_reason = ''ticket 12''), else "<operation> by role <role>". tg_argv[0] names the key column (default id). No role may execute it, and it refuses (MM403) to run for a table the schema owner did not create.';


--
-- Name: _campaign_money_exact(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._campaign_money_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    new."creditsUsed" := public._money_exact('creditsUsed', new."creditsUsed");
    return new;
end;
$$;


--
-- Name: FUNCTION _campaign_money_exact(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._campaign_money_exact() IS 'Trigger function on "Campaign" (before insert or update): creditsUsed must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 naming the column; never rounded); stored with exactly two decimals, as the table''s *_money checks require.';


--
-- Name: _contribution_cycles_money_exact(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._contribution_cycles_money_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    new.expected_amount := public._money_exact('expected_amount', new.expected_amount);
    new.collected_amount := public._money_exact('collected_amount', new.collected_amount);
    return new;
end;
$$;


--
-- Name: FUNCTION _contribution_cycles_money_exact(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._contribution_cycles_money_exact() IS 'Trigger function on contribution_cycles (before insert or update): expected_amount and collected_amount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 naming the column; never rounded); stored with exactly two decimals, as the table''s *_money checks require.';


--
-- Name: _contributions_ledger_money_exact(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._contributions_ledger_money_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    new.amount := public._money_exact('amount', new.amount);
    return new;
end;
$$;


--
-- Name: FUNCTION _contributions_ledger_money_exact(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._contributions_ledger_money_exact() IS 'Trigger function on contributions_ledger (before insert or update): amount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 naming the column; never rounded); stored with exactly two decimals, as the table''s *_money checks require.';


--
-- Name: _credit_available_check(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_available_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_balance numeric;
    v_reserved numeric;
begin
    -- The wallet lock serialises this check with every other writer of the shop
    -- (the functions hold it already), so two transactions cannot both pass on
    -- credits neither sees the other take.
    select w.balance into v_balance
    from public."Wallet" as w
    where w."shopId" = new."shopId"
    for update;
    select coalesce(sum(r.amount), 0) into v_reserved
    from public."CreditReservation" as r
    where r."shopId" = new."shopId" and r.status = 'active';
    -- A balance may go below zero by late charges only (credits a campaign used
    -- after its reservation was freed); a new reservation never fits an overdraft.
    if tg_table_name = 'Wallet' then
        select v_balance + coalesce(sum(t.amount), 0) into v_balance
        from public."CreditTransaction" as t
        where t."shopId" = new."shopId" and t."lateCharge";
    end if;
    if coalesce(v_balance, 0) - v_reserved < 0 then
        raise exception 'shop % would have % credits available (balance %, reserved %)',
            new."shopId", coalesce(v_balance, 0) - v_reserved, coalesce(v_balance, 0), v_reserved
            using errcode = 'MM402',
            hint = 'Reserve with credit_reserve(), which checks available credit under the wallet lock.';
    end if;
    return null;
end;
$$;


--
-- Name: FUNCTION _credit_available_check(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_available_check() IS 'Constraint trigger function (checked at commit): a shop''s available credit, balance minus active reservations, is never below zero when reserving; a balance that drops is below zero only by its late charges (campaigns charged after their reservation was freed).';


--
-- Name: _credit_campaign_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_campaign_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    if new.id <> old.id or new."shopId" <> old."shopId" then
        raise exception 'campaign % cannot change its id or shop', old.id using errcode = 'MM409';
    end if;
    if old.status in ('sent', 'failed')
        and (new.status, new."creditsUsed") is distinct from (old.status, old."creditsUsed") then
        raise exception 'campaign % is % and cannot change status or "creditsUsed"', old.id, old.status
            using errcode = 'MM409',
            hint = 'sent and failed are final: its credits are settled. Create a new campaign.';
    end if;
    new."updatedAt" := now();
    return new;
end;
$$;


--
-- Name: FUNCTION _credit_campaign_guard(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_campaign_guard() IS 'Trigger function on "Campaign": id and shop never change, and a final campaign (sent, failed) keeps its status and "creditsUsed", since its credits were settled on them.';


--
-- Name: _credit_campaign_settle(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_campaign_settle() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    perform public._credit_settle_campaign(
        new.id, new.status, new."creditsUsed", 'campaign_status_trigger'
    );
    return null;
end;
$$;


--
-- Name: FUNCTION _credit_campaign_settle(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_campaign_settle() IS 'Trigger function on "Campaign": when a campaign becomes sent or failed, its reservation is settled in the same transaction, so no code path completes a campaign and leaks credits.';




--
-- Name: CreditTransaction; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."CreditTransaction" (
    id text DEFAULT ('ctx_'::text || replace((gen_random_uuid())::text, '-'::text, ''::text)) NOT NULL,
    "shopId" text NOT NULL,
    type text NOT NULL,
    amount numeric NOT NULL,
    "reservationId" text,
    reference text,
    meta jsonb DEFAULT '{}'::jsonb NOT NULL,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL,
    "createdBy" text DEFAULT SESSION_USER NOT NULL,
    "lateCharge" boolean DEFAULT false NOT NULL,
    CONSTRAINT "CreditTransaction_amount_check" CHECK ((amount > (0)::numeric)),
    CONSTRAINT "CreditTransaction_id_check" CHECK ((id ~ '^ctx_[0-9a-f]{32}$'::text)),
    CONSTRAINT "CreditTransaction_meta_check" CHECK ((jsonb_typeof(meta) = 'object'::text)),
    CONSTRAINT "CreditTransaction_reference_check" CHECK (((reference <> ''::text) AND (length(reference) <= 128))),
    CONSTRAINT "CreditTransaction_type_check" CHECK ((type = ANY (ARRAY['credit'::text, 'debit'::text]))),
    CONSTRAINT credit_transaction_amount_money CHECK (((amount <> 'NaN'::numeric) AND (amount > '-10000000000000000'::numeric) AND (amount < '10000000000000000'::numeric) AND (amount = round(amount, 2)))),
    CONSTRAINT credit_transaction_kind CHECK ((((type = 'credit'::text) AND (reference IS NOT NULL) AND ("reservationId" IS NULL)) OR ((type = 'debit'::text) AND ("reservationId" IS NOT NULL) AND (reference IS NULL)))),
    CONSTRAINT credit_transaction_late_charge_is_debit CHECK (((NOT "lateCharge") OR (type = 'debit'::text)))
);


--
-- Name: TABLE "CreditTransaction"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public."CreditTransaction" IS 'Append-only ledger of SMS credits: credit = top-up (reference = the payment, unique), debit = credits a campaign used (one per reservation). Wallet balances are its running sum.';


--
-- Name: COLUMN "CreditTransaction"."lateCharge"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public."CreditTransaction"."lateCharge" IS 'A debit of credits a campaign used after its reservation was released or expired (charged when the campaign became final with "creditsUsed"). It may overdraw the wallet.';


--
-- Name: _credit_charge_late(text, numeric, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_charge_late(p_campaign_id text, p_used numeric, p_detail jsonb DEFAULT NULL::jsonb) RETURNS public."CreditTransaction"
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation public."CreditReservation";
    v_debit public."CreditTransaction";
begin
    if coalesce(p_used, 0) <= 0 then
        return null;
    end if;
    -- The campaign's latest reservation, freed (released or expired) and never charged.
    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id
    order by r."createdAt" desc, r.id desc
    limit 1;
    if not found or v_reservation.status not in ('released', 'expired') then
        return null;
    end if;
    -- Never more than the campaign reserved, as for an active reservation
    -- (_credit_consume_reservation): an excess is refused, never charged.
    if p_used > v_reservation.amount then
        raise exception 'campaign % reports % credits used, but its reservation % held % (now %): not charged',
            p_campaign_id, p_used, v_reservation.id, v_reservation.amount, v_reservation.status
            using errcode = 'MM400', column = 'creditsUsed',
            hint = 'A campaign can use at most what it reserved; report the credits it really used.';
    end if;
    -- Lock order everywhere: campaign (the caller's update holds it), wallet, reservation.
    perform from public."Wallet" as w where w."shopId" = v_reservation."shopId" for update;
    -- One debit per reservation (unique "reservationId"): charged once, whoever races.
    insert into public."CreditTransaction" ("shopId", type, amount, "reservationId", "lateCharge", meta)
    values (
        v_reservation."shopId", 'debit', p_used, v_reservation.id, true,
        jsonb_build_object(
            'campaignId', p_campaign_id,
            'reservationStatus', v_reservation.status,
            'releaseReason', v_reservation.meta ->> 'releaseReason'
        ) || coalesce(p_detail, '{}')
    )
    on conflict ("reservationId") do nothing
    returning * into v_debit;
    if v_debit.id is not null then
        perform public._audit(
            'credit_late_charge', 'CreditTransaction', v_debit.id,
            format('campaign %s used %s credits after reservation %s was %s', p_campaign_id, p_used,
                v_reservation.id, v_reservation.status),
            to_jsonb(v_reservation),
            jsonb_build_object(
                'debit', to_jsonb(v_debit),
                'wallet', (select to_jsonb(w) from public."Wallet" as w where w."shopId" = v_debit."shopId")
            )
        );
    end if;
    return v_debit;
end;
$$;


--
-- Name: FUNCTION _credit_charge_late(p_campaign_id text, p_used numeric, p_detail jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_charge_late(p_campaign_id text, p_used numeric, p_detail jsonb) IS 'Internal: charges p_used credits of a campaign whose latest reservation was released or expired before the campaign finished: one late debit ("lateCharge") of that reservation, even if it overdraws the wallet (alert credit_wallets_overdrawn), but never more than the reservation held (MM400). Audited. Null when nothing to charge.';


--
-- Name: CreditReservation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."CreditReservation" (
    id text DEFAULT ('res_'::text || replace((gen_random_uuid())::text, '-'::text, ''::text)) NOT NULL,
    "shopId" text NOT NULL,
    "campaignId" text NOT NULL,
    amount numeric NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    "usedAmount" numeric,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL,
    "expiresAt" timestamp with time zone NOT NULL,
    "releasedAt" timestamp with time zone,
    meta jsonb DEFAULT '{}'::jsonb NOT NULL,
    "createdBy" text DEFAULT SESSION_USER NOT NULL,
    CONSTRAINT "CreditReservation_amount_check" CHECK ((amount > (0)::numeric)),
    CONSTRAINT "CreditReservation_check" CHECK ((("usedAmount" >= (0)::numeric) AND ("usedAmount" <= amount))),
    CONSTRAINT "CreditReservation_id_check" CHECK ((id ~ '^res_[0-9a-f]{32}$'::text)),
    CONSTRAINT "CreditReservation_meta_check" CHECK ((jsonb_typeof(meta) = 'object'::text)),
    CONSTRAINT "CreditReservation_status_check" CHECK ((status = ANY (ARRAY['active'::text, 'released'::text, 'expired'::text, 'consumed'::text]))),
    CONSTRAINT credit_reservation_amount_money CHECK (((amount <> 'NaN'::numeric) AND (amount > '-10000000000000000'::numeric) AND (amount < '10000000000000000'::numeric) AND (amount = round(amount, 2)))),
    CONSTRAINT credit_reservation_expiry CHECK (("expiresAt" > "createdAt")),
    CONSTRAINT credit_reservation_settled CHECK (((status = 'active'::text) = ("releasedAt" IS NULL))),
    CONSTRAINT credit_reservation_used CHECK (((status = 'consumed'::text) = ("usedAmount" IS NOT NULL))),
    CONSTRAINT credit_reservation_used_amount_money CHECK ((("usedAmount" <> 'NaN'::numeric) AND ("usedAmount" > '-10000000000000000'::numeric) AND ("usedAmount" < '10000000000000000'::numeric) AND ("usedAmount" = round("usedAmount", 2))))
);


--
-- Name: TABLE "CreditReservation"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public."CreditReservation" IS 'Credits held for one campaign while it sends. active until consumed (used part debited, rest freed), released (meta.releaseReason says why) or expired; "releasedAt" is when it stopped holding credits. Never deleted; each status change is in audit_log.';


--
-- Name: _credit_consume_reservation(text, numeric, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_consume_reservation(p_reservation_id text, p_used numeric, p_detail jsonb DEFAULT NULL::jsonb) RETURNS public."CreditReservation"
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_shop_id text;
    v_reservation public."CreditReservation";
begin
    -- Lock order everywhere: campaign, wallet, reservation.
    select r."shopId" into v_shop_id from public."CreditReservation" as r where r.id = p_reservation_id;
    perform from public."Wallet" as w where w."shopId" = v_shop_id for update;
    select * into v_reservation
    from public."CreditReservation" as r
    where r.id = p_reservation_id
    for update;
    if not found or v_reservation.status <> 'active' then
        return null;
    end if;
    if p_used > v_reservation.amount then
        raise exception 'reservation % holds % credits; % used cannot be charged', v_reservation.id,
            v_reservation.amount, p_used
            using errcode = 'MM400', column = 'used',
            hint = 'A campaign can use at most what it reserved.';
    end if;
    if p_used > 0 then
        insert into public."CreditTransaction" ("shopId", type, amount, "reservationId", meta)
        values (
            v_reservation."shopId", 'debit', p_used, v_reservation.id,
            jsonb_build_object('campaignId', v_reservation."campaignId") || coalesce(p_detail, '{}')
        );
    end if;
    update public."CreditReservation" as r
    set status = 'consumed',
        "usedAmount" = p_used,
        meta = r.meta || coalesce(p_detail, '{}')
        || jsonb_build_object('releasedRemainder', r.amount - p_used)
    where r.id = v_reservation.id
    returning r.* into v_reservation;
    return v_reservation;
end;
$$;


--
-- Name: FUNCTION _credit_consume_reservation(p_reservation_id text, p_used numeric, p_detail jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_consume_reservation(p_reservation_id text, p_used numeric, p_detail jsonb) IS 'Internal: under the wallet and reservation locks, debits the used credits of an active reservation and marks it consumed (the rest is released). Null when it was not active.';


--
-- Name: _credit_release_reservation(text, text, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_release_reservation(p_reservation_id text, p_status text, p_reason text, p_detail jsonb DEFAULT NULL::jsonb) RETURNS public."CreditReservation"
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation public."CreditReservation";
begin
    -- The update waits for a concurrent settlement and re-checks status, so a
    -- reservation is released at most once; null when it was no longer active.
    update public."CreditReservation" as r
    set status = p_status,
        meta = r.meta || coalesce(p_detail, '{}') || jsonb_build_object('releaseReason', p_reason)
    where r.id = p_reservation_id and r.status = 'active'
    returning r.* into v_reservation;
    return v_reservation;
end;
$$;


--
-- Name: FUNCTION _credit_release_reservation(p_reservation_id text, p_status text, p_reason text, p_detail jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_release_reservation(p_reservation_id text, p_status text, p_reason text, p_detail jsonb) IS 'Internal: moves an active reservation to released or expired with meta.releaseReason (the guard and audit triggers do the rest). Returns the row, or null when it was not active.';


--
-- Name: _credit_reservation_audit(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_reservation_audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    perform public._require_audited_table(tg_relid, 'public._credit_reservation_audit()'::regprocedure);
    perform public._audit(
        case
            when new.status <> old.status then 'credit_reservation_' || new.status
            else 'credit_reservation_updated'
        end,
        'CreditReservation',
        new.id,
        case
            when new.status = 'consumed'
                then format('used %s of %s credits', new."usedAmount", new.amount)
            else new.meta ->> 'releaseReason'
        end,
        to_jsonb(old),
        to_jsonb(new)
    );
    return null;
end;
$$;


--
-- Name: FUNCTION _credit_reservation_audit(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_reservation_audit() IS 'Trigger function on "CreditReservation": writes every change (release, expiry, consumption, also a DBA''s direct UPDATE) to audit_log with the row before and after.';


--
-- Name: _credit_reservation_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_reservation_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_debit numeric;
begin
    if tg_op = 'DELETE' then
        raise exception 'credit reservation % cannot be deleted', old.id
            using errcode = 'MM409',
            hint = 'Release it (credit_release) or expire it (credit_expire); its history stays.';
    end if;
    if tg_op = 'INSERT' then
        if new.status <> 'active' then
            raise exception 'a credit reservation starts active, not %', new.status
                using errcode = 'MM409', hint = 'Reserve with credit_reserve().';
        end if;
        return new;
    end if;

    if (new.id, new."shopId", new."campaignId", new.amount, new."createdAt", new."expiresAt",
        new."createdBy")
        is distinct from
        (old.id, old."shopId", old."campaignId", old.amount, old."createdAt", old."expiresAt",
            old."createdBy") then
        raise exception 'credit reservation %: only status, "releasedAt" and meta can change', old.id
            using errcode = 'MM409';
    end if;
    if old.status <> 'active' then
        if row(new.*) is distinct from row(old.*) then
            raise exception 'credit reservation % is % and cannot change', old.id, old.status
                using errcode = 'MM409',
                hint = 'A reservation leaves active once: released, expired and consumed are final.';
        end if;
        return new;
    end if;
    if new.status = 'active' then
        -- Still active: only meta may change.
        new."releasedAt" := null;
        return new;
    end if;

    -- Leaving active: the time is a fact, not an input.
    new."releasedAt" := now();
    case new.status
        when 'released' then
            if jsonb_typeof(new.meta -> 'releaseReason') is distinct from 'string'
                or not public._has_visible_character(new.meta ->> 'releaseReason') then
                raise exception 'releasing credit reservation % needs meta.releaseReason', old.id
                    using errcode = 'MM400', column = 'meta',
                    hint = 'e.g. meta = jsonb_set(coalesce(meta, ''{}''), ''{releaseReason}'', '
                    || '''"manual_reconciliation"'')';
            end if;
        when 'expired' then
            if jsonb_typeof(new.meta -> 'releaseReason') is distinct from 'string' then
                new.meta := new.meta || '{"releaseReason": "expired"}';
            end if;
        when 'consumed' then
            -- Consumed means charged: the debit must already be posted (credit_consume()).
            select t.amount into v_debit
            from public."CreditTransaction" as t
            where t."reservationId" = old.id and t.type = 'debit';
            if coalesce(v_debit, 0) <> coalesce(new."usedAmount", -1) then
                raise exception 'credit reservation % can only be consumed by credit_consume()', old.id
                    using errcode = 'MM409',
                    hint = 'It posts the debit for the used credits and releases the rest.';
            end if;
        else
            null;  -- the check constraint names the valid statuses
    end case;
    return new;
end;
$$;


--
-- Name: FUNCTION _credit_reservation_guard(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_reservation_guard() IS 'Trigger function on "CreditReservation": it starts active, is never deleted, leaves active once (released with meta.releaseReason, expired, or consumed with its debit posted), and only its status, "releasedAt" and meta ever change. "releasedAt" is set to the time of the change.';


--
-- Name: _credit_reservation_money_exact(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_reservation_money_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    new.amount := public._money_exact('amount', new.amount);
    new."usedAmount" := public._money_exact('usedAmount', new."usedAmount");
    return new;
end;
$$;


--
-- Name: FUNCTION _credit_reservation_money_exact(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_reservation_money_exact() IS 'Trigger function on "CreditReservation" (before insert or update): amount and usedAmount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 naming the column; never rounded); stored with exactly two decimals, as the table''s *_money checks require.';


--
-- Name: _credit_settle_campaign(text, text, numeric, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_settle_campaign(p_campaign_id text, p_status text, p_credits_used numeric, p_settled_by text) RETURNS public."CreditReservation"
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation_id text;
    v_detail jsonb := jsonb_build_object('settledBy', p_settled_by, 'campaignStatus', p_status);
begin
    select r.id into v_reservation_id
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id and r.status = 'active';
    if not found then
        -- Its reservation was released or expired before it finished: the credits it
        -- used are still charged (late debit), never dropped.
        perform public._credit_charge_late(p_campaign_id, p_credits_used, v_detail);
        return null;
    end if;
    if p_credits_used is not null then
        return public._credit_consume_reservation(v_reservation_id, p_credits_used, v_detail);
    end if;
    return public._credit_release_reservation(
        v_reservation_id, 'released', 'campaign_' || p_status, v_detail
    );
end;
$$;


--
-- Name: FUNCTION _credit_settle_campaign(p_campaign_id text, p_status text, p_credits_used numeric, p_settled_by text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_settle_campaign(p_campaign_id text, p_status text, p_credits_used numeric, p_settled_by text) IS 'Internal: settles the active reservation of a campaign that reached a final status: consumes "creditsUsed" when the sender reported it, else releases it (reason campaign_sent or campaign_failed). Null when nothing was active; then "creditsUsed" is charged as a late debit of its released or expired reservation (_credit_charge_late).';


--
-- Name: _credit_transaction_check(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_transaction_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation public."CreditReservation";
begin
    if new."lateCharge" then
        -- Credits used after the reservation stopped holding them: charged in full.
        select * into v_reservation
        from public."CreditReservation" as r
        where r.id = new."reservationId";
        if not found or v_reservation.status not in ('released', 'expired') then
            raise exception 'a late charge must charge a released or expired reservation; % is %',
                new."reservationId", coalesce(v_reservation.status, 'unknown')
                using errcode = 'MM409', hint = 'Late charges are posted when a campaign finishes.';
        end if;
    elsif new.type = 'debit' and new."reservationId" is not null then
        select * into v_reservation
        from public."CreditReservation" as r
        where r.id = new."reservationId";
        if not found or v_reservation.status <> 'active' then
            raise exception 'a debit must charge an active reservation; % is %', new."reservationId",
                coalesce(v_reservation.status, 'unknown')
                using errcode = 'MM409', hint = 'Debits are posted by credit_consume().';
        end if;
        if new.amount > v_reservation.amount then
            raise exception 'debit of % exceeds reservation % of %', new.amount, v_reservation.id,
                v_reservation.amount
                using errcode = 'MM409';
        end if;
    end if;
    new."createdAt" := now();
    return new;
end;
$$;


--
-- Name: FUNCTION _credit_transaction_check(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_transaction_check() IS 'Trigger function on "CreditTransaction": a debit charges at most the amount of an active reservation of the same shop (the foreign key checks the shop); a late charge charges a released or expired one.';


--
-- Name: _credit_transaction_money_exact(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_transaction_money_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    new.amount := public._money_exact('amount', new.amount);
    return new;
end;
$$;


--
-- Name: FUNCTION _credit_transaction_money_exact(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_transaction_money_exact() IS 'Trigger function on "CreditTransaction" (before insert or update): amount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 naming the column; never rounded); stored with exactly two decimals, as the table''s *_money checks require.';


--
-- Name: _credit_transaction_post(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_transaction_post() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    update public."Wallet" as w
    set balance = w.balance + case new.type when 'credit' then new.amount else -new.amount end
    where w."shopId" = new."shopId";
    return null;
end;
$$;


--
-- Name: FUNCTION _credit_transaction_post(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_transaction_post() IS 'Trigger function on "CreditTransaction": posts each new transaction to its wallet in the same transaction, so "Wallet".balance always equals credits minus debits.';


--
-- Name: _credit_wallet_guard(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._credit_wallet_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    if tg_op = 'DELETE' then
        raise exception 'wallet % cannot be deleted', old."shopId"
            using errcode = 'MM409', hint = 'Its credit transactions are the ledger of record.';
    end if;
    if tg_op = 'INSERT' then
        if new.balance <> 0 then
            raise exception 'wallet % must start with balance 0, got %', new."shopId", new.balance
                using errcode = 'MM409', hint = 'Credit it with credit_top_up().';
        end if;
        return new;
    end if;
    if new."shopId" <> old."shopId" then
        raise exception 'wallet % cannot be renamed', old."shopId" using errcode = 'MM409';
    end if;
    -- Only _credit_transaction_post (a trigger, so depth 2 here) moves a balance.
    if new.balance <> old.balance and pg_trigger_depth() < 2 then
        raise exception 'wallet % balance is the sum of its credit transactions and cannot be set',
            old."shopId"
            using errcode = 'MM409',
            hint = 'Post a transaction: credit_top_up() adds credits, credit_consume() debits them.';
    end if;
    new."updatedAt" := now();
    return new;
end;
$$;


--
-- Name: FUNCTION _credit_wallet_guard(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._credit_wallet_guard() IS 'Trigger function on "Wallet": a wallet starts empty, is never deleted or renamed, and its balance moves only when a "CreditTransaction" is posted.';


--
-- Name: _has_visible_character(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._has_visible_character(p_text text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    -- Locale-independent: anything but controls, spaces (ASCII and Unicode), the
    -- invisible format characters (zero-width, soft hyphen, marks) and the BOM.
    select coalesce(
        p_text ~ '[^\u0001-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0]',
        false
    );
$$;


--
-- Name: FUNCTION _has_visible_character(p_text text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._has_visible_character(p_text text) IS 'True when p_text contains at least one visible character: not only spaces, tabs, newlines, other control characters or invisible Unicode (no-break and zero-width spaces, BOM, ...). The one rule for reasons and notes (_require_text).';


--
-- Name: _ledger_after_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._ledger_after_insert() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- One upsert per (group, month), in key order so that parallel allocators
    -- lock cycle rows in the same order and never deadlock.
    perform _ledger_cycle_upsert(g.ikimina_id, g.cycle_yyyymm, g.total)
    from (
        select n.ikimina_id, n.cycle_yyyymm, sum(n.amount) as total
        from new_rows as n
        group by n.ikimina_id, n.cycle_yyyymm
        order by n.ikimina_id, n.cycle_yyyymm
    ) as g;
    return null;
end;
$$;


--
-- Name: FUNCTION _ledger_after_insert(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._ledger_after_insert() IS 'Statement trigger: adds every new ledger row to its contribution cycle in the same transaction.';


--
-- Name: _ledger_check_correction(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._ledger_check_correction() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_original contributions_ledger;
begin
    select * into v_original from contributions_ledger where id = new.reverses_id;
    if v_original.source = 'correction' then
        raise exception 'ledger entry % is itself a correction and cannot be reversed', v_original.id
            using errcode = 'MM409';
    end if;
    if new.amount <> -v_original.amount
        or new.member_id <> v_original.member_id
        or new.ikimina_id <> v_original.ikimina_id
        or new.cycle_yyyymm <> v_original.cycle_yyyymm
        or new.currency <> v_original.currency
        or new.reversed_txn_id is distinct from v_original.txn_id
        or new.txn_generation <> v_original.txn_generation then
        raise exception 'a correction must exactly negate ledger entry %', v_original.id
            using errcode = 'MM400';
    end if;
    return new;
end;
$$;


--
-- Name: FUNCTION _ledger_check_correction(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._ledger_check_correction() IS 'Trigger function: a correction row reverses a non-correction entry exactly (same member, group, cycle and currency, negated amount) and names its payment (reversed_txn_id, txn_generation).';


--
-- Name: contribution_cycles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contribution_cycles (
    ikimina_id uuid NOT NULL,
    yyyymm integer NOT NULL,
    expected_amount numeric DEFAULT 0.00 NOT NULL,
    collected_amount numeric DEFAULT 0.00 NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT contribution_cycles_collected_amount_money CHECK (((collected_amount <> 'NaN'::numeric) AND (collected_amount > '-10000000000000000'::numeric) AND (collected_amount < '10000000000000000'::numeric) AND (collected_amount = round(collected_amount, 2)))),
    CONSTRAINT contribution_cycles_expected_amount_check CHECK ((expected_amount >= (0)::numeric)),
    CONSTRAINT contribution_cycles_expected_amount_money CHECK (((expected_amount <> 'NaN'::numeric) AND (expected_amount > '-10000000000000000'::numeric) AND (expected_amount < '10000000000000000'::numeric) AND (expected_amount = round(expected_amount, 2)))),
    CONSTRAINT contribution_cycles_status_check CHECK ((status = ANY (ARRAY['open'::text, 'closed'::text]))),
    CONSTRAINT contribution_cycles_yyyymm_check CHECK ((((yyyymm >= 200001) AND (yyyymm <= 999912)) AND (((yyyymm % 100) >= 1) AND ((yyyymm % 100) <= 12))))
);


--
-- Name: TABLE contribution_cycles; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.contribution_cycles IS 'A group''s monthly contribution cycle. collected_amount always equals the sum of its ledger entries: only the ledger''s insert trigger changes it. A closed cycle stays closed when late payments arrive.';


--
-- Name: _ledger_cycle_upsert(uuid, integer, numeric); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._ledger_cycle_upsert(p_ikimina_id uuid, p_yyyymm integer, p_amount numeric) RETURNS public.contribution_cycles
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    insert into contribution_cycles as c (ikimina_id, yyyymm, collected_amount)
    values (p_ikimina_id, p_yyyymm, p_amount)
    on conflict (ikimina_id, yyyymm) do update
        set collected_amount = c.collected_amount + excluded.collected_amount,
            updated_at = now()
    returning c.*;
$$;


--
-- Name: FUNCTION _ledger_cycle_upsert(p_ikimina_id uuid, p_yyyymm integer, p_amount numeric); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._ledger_cycle_upsert(p_ikimina_id uuid, p_yyyymm integer, p_amount numeric) IS 'Adds an amount to a group''s monthly cycle total, creating the cycle if needed. Called only by the ledger insert trigger, so collected_amount always equals the ledger sum.';


--
-- Name: contributions_ledger; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contributions_ledger (
    id bigint NOT NULL,
    ikimina_id uuid NOT NULL,
    member_id uuid NOT NULL,
    amount numeric NOT NULL,
    currency text NOT NULL,
    cycle_yyyymm integer NOT NULL,
    txn_id text,
    allocated_at timestamp with time zone DEFAULT now() NOT NULL,
    source text NOT NULL,
    meta jsonb DEFAULT '{}'::jsonb NOT NULL,
    inbox_id bigint,
    parsed_id bigint,
    reverses_id bigint,
    created_by text DEFAULT SESSION_USER NOT NULL,
    txn_generation integer DEFAULT 1 NOT NULL,
    reversed_txn_id text,
    recredits_id bigint,
    previous_generation integer GENERATED ALWAYS AS ((txn_generation - 1)) STORED,
    CONSTRAINT contributions_ledger_amount_money CHECK (((amount <> 'NaN'::numeric) AND (amount > '-10000000000000000'::numeric) AND (amount < '10000000000000000'::numeric) AND (amount = round(amount, 2)))),
    CONSTRAINT contributions_ledger_amount_sign CHECK (
CASE
    WHEN (source = 'correction'::text) THEN (amount < (0)::numeric)
    ELSE (amount > (0)::numeric)
END),
    CONSTRAINT contributions_ledger_correction_has_no_txn CHECK (((source <> 'correction'::text) OR (txn_id IS NULL))),
    CONSTRAINT contributions_ledger_correction_link CHECK (((source = 'correction'::text) = (reverses_id IS NOT NULL))),
    CONSTRAINT contributions_ledger_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT contributions_ledger_cycle_yyyymm_check CHECK ((((cycle_yyyymm >= 200001) AND (cycle_yyyymm <= 999912)) AND (((cycle_yyyymm % 100) >= 1) AND ((cycle_yyyymm % 100) <= 12)))),
    CONSTRAINT contributions_ledger_recredit_link CHECK (
CASE
    WHEN (source = 'correction'::text) THEN (recredits_id IS NULL)
    ELSE ((txn_generation > 1) = (recredits_id IS NOT NULL))
END),
    CONSTRAINT contributions_ledger_reversed_txn_on_corrections CHECK (((source = 'correction'::text) OR (reversed_txn_id IS NULL))),
    CONSTRAINT contributions_ledger_sms_refs CHECK (((source <> 'sms'::text) OR ((inbox_id IS NOT NULL) AND (parsed_id IS NOT NULL)))),
    CONSTRAINT contributions_ledger_source_check CHECK ((source = ANY (ARRAY['sms'::text, 'manual'::text, 'correction'::text]))),
    CONSTRAINT contributions_ledger_txn_generation_check CHECK ((txn_generation >= 1))
);


--
-- Name: TABLE contributions_ledger; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.contributions_ledger IS 'Append-only ledger of contributions. Each allocated payment is a credit row; a mistake is undone by a correction row (negative, reverses_id = the original), never by an edit. A reversed payment can be credited again as the next txn_generation (recredits_id = the reversal); constraints keep at most one live (unreversed) credit per txn_id.';


--
-- Name: COLUMN contributions_ledger.txn_generation; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.contributions_ledger.txn_generation IS 'Credits: 1 for the first credit of a payment, g + 1 for the credit that follows the reversal of generation g (ledger_recredit, ledger_reallocate). Corrections: the generation they reverse.';


--
-- Name: COLUMN contributions_ledger.reversed_txn_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.contributions_ledger.reversed_txn_id IS 'Corrections only: the txn_id of the credit they reverse (null when it had none).';


--
-- Name: COLUMN contributions_ledger.recredits_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.contributions_ledger.recredits_id IS 'Credits of generation > 1 only: the correction that reversed the previous generation, i.e. the mistake this credit corrects.';


--
-- Name: COLUMN contributions_ledger.previous_generation; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.contributions_ledger.previous_generation IS 'txn_generation - 1, for the foreign key from a re-credit to the reversal of the previous generation.';


--
-- Name: _ledger_entry_for_update(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._ledger_entry_for_update(p_ledger_id bigint) RETURNS public.contributions_ledger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_entry public.contributions_ledger;
begin
    -- The row lock serialises corrections of one entry: a second, concurrent call
    -- waits, then sees the first one's rows and is refused.
    select * into v_entry from public.contributions_ledger where id = p_ledger_id for update;
    if not found then
        raise exception 'ledger entry % does not exist', p_ledger_id
            using errcode = 'MM404', hint = 'See select * from contributions_ledger order by id desc.';
    end if;
    return v_entry;
end;
$$;


--
-- Name: FUNCTION _ledger_entry_for_update(p_ledger_id bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._ledger_entry_for_update(p_ledger_id bigint) IS 'Correction functions: the ledger entry p_ledger_id, locked for update (so corrections of one entry run one at a time); MM404 when there is no such entry.';


--
-- Name: ibimina_members; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ibimina_members (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    ikimina_id uuid NOT NULL,
    user_id uuid NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    member_code text,
    joined_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ibimina_members_member_code_check CHECK ((member_code ~ '^[A-Za-z0-9-]{2,32}$'::text)),
    CONSTRAINT ibimina_members_status_check CHECK ((status = ANY (ARRAY['active'::text, 'inactive'::text, 'suspended'::text, 'left'::text])))
);


--
-- Name: TABLE ibimina_members; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.ibimina_members IS 'Membership of a person in a group. Only active members receive allocations. member_code is unique per group; payers may quote it in the SMS note.';


--
-- Name: _member_for_allocation(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._member_for_allocation(p_member_id uuid) RETURNS public.ibimina_members
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_member public.ibimina_members;
begin
    select * into v_member from public.ibimina_members where id = p_member_id;
    if not found then
        raise exception 'member % does not exist', p_member_id
            using errcode = 'MM404', column = 'p_member_id',
            hint = 'p_member_id is a membership id: select id, ikimina_id, status from ibimina_members.';
    end if;
    if v_member.status <> 'active' then
        raise exception 'member % is %: only active members receive allocations', p_member_id, v_member.status
            using errcode = 'MM422', column = 'p_member_id';
    end if;
    return v_member;
end;
$$;


--
-- Name: FUNCTION _member_for_allocation(p_member_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._member_for_allocation(p_member_id uuid) IS 'Correction functions: the membership p_member_id a payment is about to be credited to; MM404 when there is none, MM422 when it is not active.';


--
-- Name: _momo_alloc_balance_check(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_balance_check() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET enable_seqscan TO 'off'
    AS $$
declare
    v_balance_check text := _setting('MOMO_BALANCE_CHECK');
    v_accounts text[];
    v_from timestamptz[];
    v_released bigint[];
begin
    if v_balance_check = 'off' then
        return;
    end if;

    -- 1. Walk the verified history of every account this batch has SMS of (money
    -- in and out alike: every genuine SMS that links advances it).
    -- (the SMS whose own parse states a movement: genuine, not a duplicate, an amount)
    select array_agg(p.account), array_agg(p.txn_ts)
    into v_accounts, v_from
    from (
        select w.account, min(w.txn_ts) as txn_ts
        from momo_alloc_work as w
        where w.genuine and w.duplicate_of is null and w.amount is not null
        group by w.account
    ) as p;
    perform _momo_balance_verify(v_accounts, v_from);

    -- 2. This batch's credits that are not verified: a written time far from when
    -- the phone received it, or a wording that states no balance, is a case at
    -- once (it can never verify); any other waits for its history (hold) or is
    -- posted and reported (flag).
    -- (each credit probes the history and its parse by key: a join could read all of both)
    with unverified as (
        select x.inbox_id, (select p from momo_parsed_txns as p where p.id = x.parsed_id) as p
        from momo_alloc_work as x
        where
            x.outcome is null and x.parsed_id is not null
            and (select true from momo_balance_history as h where h.parsed_id = x.parsed_id) is null
    )

    update momo_alloc_work as w
    set
        balance_verified = false,
        outcome = case
            when v_balance_check = 'flag' then null
            when (u.p).sms_time_ok is false or (u.p).balance is null then 'unmatched'
            else 'held'
        end,
        reason = case
            when v_balance_check = 'flag' then null
            when (u.p).sms_time_ok is false then 'sms_time_mismatch'
            else 'balance_unverified'
        end,
        detail = case
            when v_balance_check = 'flag' then null
            when (u.p).sms_time_ok is false then format(
                'the time written in this SMS (%s) is more than MOMO_BALANCE_TIME_WINDOW %s from '
                'when the phone received it (%s): a genuine MoMo SMS reaches the phone within '
                'seconds; possibly a forged or replayed SMS',
                (u.p).txn_ts, _setting('MOMO_BALANCE_TIME_WINDOW'),
                (select i.received_at from momo_sms_inbox as i where i.id = w.inbox_id)
            )
            when (u.p).balance is null then format(
                'this wording (%s) states no balance, so it cannot be verified against the '
                'account''s history (MOMO_BALANCE_CHECK = hold): check the payment on the phone''s '
                'MoMo statement',
                w.format
            )
        end
    from unverified as u
    where w.inbox_id = u.inbox_id;

    insert into momo_balance_holds (
        inbox_id, parsed_id, account, ikimina_id, member_id, matched_by
    )
    select w.inbox_id, w.parsed_id, w.account, w.ikimina_id, w.member_id, w.matched_by
    from momo_alloc_work as w
    where w.outcome = 'held';

    -- 3. Credits held by earlier runs that this batch's SMS linked into the
    -- verified history: posted with this batch.
    select coalesce(array_agg(h.parsed_id), '{}') into v_released
    from momo_balance_holds as h
    where
        h.released_at is null and h.account = any(v_accounts)
        and (select true from momo_balance_history as v where v.parsed_id = h.parsed_id);
    perform _momo_alloc_release_linked(v_released);
end;
$$;


--
-- Name: FUNCTION _momo_alloc_balance_check(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_balance_check() IS 'Allocation stage, the verified balance chain (MOMO_BALANCE_CHECK): walks the history of the batch''s accounts (_momo_balance_verify); a credit of momo_alloc_work that is not verified is held in momo_balance_holds (hold) or posted with balance_verified false (flag); one whose written time is outside MOMO_BALANCE_TIME_WINDOW (sms_time_mismatch) or whose wording states no balance (balance_unverified) is a case at once under hold. Credits held by earlier runs that are verified now join the batch (_momo_alloc_release_linked).';


--
-- Name: _momo_alloc_cases(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_cases() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION _momo_alloc_cases(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_cases() IS 'Allocation stage, cases for people: every SMS of the batch that ended unmatched in momo_alloc_work gets an open momo_unmatched case with its reason, detail, suggested member and candidates (one open case per SMS).';


--
-- Name: _momo_alloc_close_inbox(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_close_inbox() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- Once, after the ledger, every outcome decided: the batch's rows are
    -- processed (one attempt more); the credits held by earlier runs and
    -- released in this one (released_hold) were processed then and only get
    -- their outcome. The batch's inbox rows are this transaction's since the
    -- claim (for update), so this write waits on no other session.
    update momo_sms_inbox as i
    set
        processed_at = case when w.released_hold then i.processed_at else now() end,
        attempts = i.attempts + case when w.released_hold then 0 else 1 end,
        outcome = w.outcome,
        last_error = w.reason,
        next_attempt_at = case when w.released_hold then i.next_attempt_at end
    from momo_alloc_work as w
    where i.id = w.inbox_id;
end;
$$;


--
-- Name: FUNCTION _momo_alloc_close_inbox(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_close_inbox() IS 'Allocation stage, last: writes each inbox row''s outcome and reason from momo_alloc_work, once. The batch''s rows are marked processed with one attempt more; credits held by earlier runs and released in this one (released_hold) only get their outcome.';


--
-- Name: _momo_alloc_holds_close(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_holds_close() RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    -- The held credits of momo_alloc_work (released_hold) were just posted or
    -- turned into cases (their inbox rows say so: _momo_alloc_close_inbox): the
    -- holds say how.
    update momo_balance_holds as h
    set
        released_at = now(),
        release = case
            when w.outcome = 'unmatched' then 'unverified'
            when w.outcome = 'duplicate' then 'duplicate'
            when w.balance_verified then 'verified'
            else 'check_off'
        end
    from momo_alloc_work as w
    where w.released_hold and h.inbox_id = w.inbox_id;
$$;


--
-- Name: FUNCTION _momo_alloc_holds_close(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_holds_close() IS 'Allocation stage: after the ledger stage, closes the balance holds released in this transaction (momo_alloc_work.released_hold) with their release (verified, unverified, duplicate or check_off).';


--
-- Name: _momo_alloc_parse(bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_parse(p_ids bigint[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_timezone text := _setting('MOMO_TIMEZONE');
    v_country text := _setting('MOMO_DEFAULT_COUNTRY_CODE');
    v_require_sender boolean := _setting('MOMO_ALLOCATOR_REQUIRE_SENDER')::boolean;
    v_ids bigint [];
    v_texts text [];
    v_received timestamptz [];
    v_senders text [];
    v_accounts text [];
begin
    -- The claimed rows not processed meanwhile (by a requeue's run, say).
    select
        array_agg(i.id order by i.id), array_agg(i.raw_text order by i.id),
        array_agg(i.received_at order by i.id), array_agg(btrim(i.msisdn_raw) order by i.id),
        array_agg(coalesce(i.receiving_account, i.ingest_source) order by i.id)
    into v_ids, v_texts, v_received, v_senders, v_accounts
    from momo_sms_inbox as i
    where i.id = any(p_ids) and i.processed_at is null;

    if v_ids is null then
        return 0;
    end if;

    -- The whole batch parsed in one pass. Only the operator's SMS are genuine: the
    -- gateway sender must be one of momo_provider_senders for the provider of the
    -- format that matched. (Columns in momo_alloc_work's order: inbox_id, sender,
    -- account, the parse, genuine.)
    insert into momo_alloc_work
    select
        v_ids[p.ord], g.sender, g.account, (p.parse).*,
        (p.parse).format is not null and (
            case
                when nullif(g.sender, '') is null then not v_require_sender
                else exists (
                    select
                    from momo_provider_senders as s
                    where s.provider = (p.parse).provider and lower(s.sender) = lower(g.sender)
                )
            end
        )
    from _momo_parse_batch(v_texts, v_received, v_timezone, v_country) as p
    -- (a text array's element is found by walking the array: join, do not subscript)
    inner join unnest(v_senders, v_accounts) with ordinality as g (sender, account, ord)
        on p.ord = g.ord;

    if cardinality(v_ids) > 200 then
        analyze momo_alloc_work;
    end if;
    return cardinality(v_ids);
end;
$$;


--
-- Name: FUNCTION _momo_alloc_parse(p_ids bigint[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_parse(p_ids bigint[]) IS 'Allocation stage, parse and verify the sender: reads the inbox rows of p_ids not yet processed, parses them in one pass (_momo_parse_batch) into momo_alloc_work and marks genuine those whose gateway sender is an operator sender of the provider that matched (momo_provider_senders). Returns how many rows it took (0: nothing to allocate).';


--
-- Name: _momo_alloc_post_ledger(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_post_ledger(p_timezone text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- The rows of momo_alloc_work still without an outcome are credits: post them,
    -- in txn_id order so parallel allocators take index locks in one order. The
    -- ledger's trigger adds to the cycle totals in this transaction.
    with posted as (
        insert into contributions_ledger (
            ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, source, meta,
            inbox_id, parsed_id
        )
        select
            w.ikimina_id, w.member_id, w.amount, w.currency,
            to_char(w.txn_ts at time zone p_timezone, 'YYYYMM')::integer,
            w.txn_id, 'sms',
            jsonb_build_object('inbox_id', w.inbox_id, 'parsed_id', w.parsed_id,
                'format', w.format, 'matched_by', w.matched_by)
            -- MOMO_BALANCE_CHECK = flag: allocated although its balance did not link
            || case when w.balance_verified is false then '{"balance_verified": false}' else '{}' end::jsonb,
            w.inbox_id, w.parsed_id
        from momo_alloc_work as w
        where w.outcome is null
        order by w.txn_id, w.inbox_id
        -- generation 1: a txn id credited before (even if reversed since) is a duplicate
        on conflict (txn_id, txn_generation) do nothing
        returning id, inbox_id
    )

    update momo_alloc_work as w set ledger_id = p.id, outcome = 'allocated'
    from posted as p
    where w.inbox_id = p.inbox_id;

    -- A transaction already in the ledger (a manual entry, say): a duplicate, not allocated.
    update momo_alloc_work
    set
        outcome = 'duplicate',
        reason = 'duplicate_txn_ledger',
        detail = format('transaction %s is already in contributions_ledger', txn_id)
    where outcome is null;
end;
$$;


--
-- Name: FUNCTION _momo_alloc_post_ledger(p_timezone text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_post_ledger(p_timezone text) IS 'Allocation stage: posts the credits left in momo_alloc_work (outcome still null) to contributions_ledger, exactly once per transaction id; one already in the ledger becomes a duplicate.';


--
-- Name: _momo_alloc_record_sms_failure(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_record_sms_failure(p_inbox_id bigint, p_message text) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION _momo_alloc_record_sms_failure(p_inbox_id bigint, p_message text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_record_sms_failure(p_inbox_id bigint, p_message text) IS 'Records an unexpected allocation error on one inbox row: attempts + 1, last_error, exponential backoff (MOMO_ALLOCATOR_RETRY_BACKOFF); after MOMO_ALLOCATOR_MAX_ATTEMPTS the row becomes a dead letter (processed, outcome dead_letter) with a momo_unmatched case for a person.';


--
-- Name: _momo_alloc_release_linked(bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_release_linked(p_linked bigint[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET enable_seqscan TO 'off'
    AS $$
begin
    -- Credits held by earlier runs that this batch's SMS link: posted with it (_momo_alloc_post_ledger).
    insert into momo_alloc_work (
        inbox_id, account, format, amount, currency, txn_id, txn_ts, parsed_id, member_id,
        ikimina_id, matched_by, balance_verified, released_hold
    )
    select
        h.inbox_id, h.account, p.format, p.amount, p.currency, p.txn_id, p.txn_ts, h.parsed_id,
        h.member_id, h.ikimina_id, h.matched_by, true, true
    from (
        select x.inbox_id, x.parsed_id, x.account, x.member_id, x.ikimina_id, x.matched_by
        from momo_balance_holds as x
        inner join unnest(p_linked) as l (parsed_id) on x.parsed_id = l.parsed_id
        where x.released_at is null
        order by x.inbox_id
        for update of x skip locked
    ) as h
    inner join momo_parsed_txns as p on h.parsed_id = p.id;
end;
$$;


--
-- Name: FUNCTION _momo_alloc_release_linked(p_linked bigint[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_release_linked(p_linked bigint[]) IS 'Allocation stage, part of the balance check: the credits held by earlier runs whose parses are in p_linked (their balance links now) join momo_alloc_work as released holds, to be posted with this batch; holds another session has locked are left to it.';


--
-- Name: _momo_alloc_resolve(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_resolve() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- All in one pass.
    with pending as (
        select
            array_agg(x.inbox_id order by x.inbox_id) as ids,
            array_agg(x.msisdn_e164 order by x.inbox_id) as msisdns,
            array_agg(x.sender_note order by x.inbox_id) as notes,
            array_agg(x.account order by x.inbox_id) as accounts,
            array_agg(x.sender_name order by x.inbox_id) as names,
            array_agg(x.msisdn_suffix order by x.inbox_id) as suffixes
        from momo_alloc_work as x
        where x.outcome is null
    )

    update momo_alloc_work as w
    set
        member_id = r.member_id,
        ikimina_id = r.ikimina_id,
        group_currency = r.group_currency,
        matched_by = r.matched_by,
        outcome = case when r.member_id is null then 'unmatched' end,
        reason = r.reason,
        detail = r.detail,
        candidates = r.candidates
    from pending as p
    cross join lateral _momo_resolve_members(p.msisdns, p.notes, p.accounts, p.names, p.suffixes) as r
    where w.inbox_id = p.ids[r.ord];

    update momo_alloc_work
    set
        outcome = 'unmatched',
        reason = 'currency_mismatch',
        detail = format('the SMS is in %s but the group keeps %s', currency, group_currency)
    where outcome is null and currency is distinct from group_currency;

    -- Hints for the cases a person will look at.
    update momo_alloc_work as w
    set suggested_member_id = _momo_suggest_member(
        w.msisdn_suffix, w.sender_name,
        (select a.ikimina_id from collection_accounts as a where a.account = w.account)
    )
    where w.outcome = 'unmatched' and w.msisdn_suffix is not null;
end;
$$;


--
-- Name: FUNCTION _momo_alloc_resolve(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_resolve() IS 'Allocation stage, resolve the member: the SMS of momo_alloc_work still without an outcome get their member and group (_momo_resolve_members: within the group of the receiving collection account, if any), or become unmatched (no member, or a currency the group does not keep) with the candidates of a masked payer; unmatched SMS with a masked number get a suggested member.';


--
-- Name: _momo_alloc_screen(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_screen() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_min_confidence numeric := _setting('MOMO_ALLOCATOR_MIN_CONFIDENCE')::numeric;
    v_require_txn_id boolean := _setting('MOMO_ALLOCATOR_REQUIRE_TXN_ID')::boolean;
    v_max_amount numeric := _setting('MOMO_ALLOCATOR_MAX_AMOUNT')::numeric;
begin
    -- Only genuine money in from a person, read well enough, may go further.
    update momo_alloc_work as w
    set
        reason = c.reason,
        outcome = case when c.reason like 'skipped\_%' then 'skipped' else 'unmatched' end,
        detail = c.detail
    from (
        select
            x.inbox_id,
            case
                when x.format is null then 'low_confidence'
                when not x.genuine and nullif(x.sender, '') is null then 'sender_unknown'
                when not x.genuine then 'sender_not_operator'
                when x.kind = 'reversal' then 'skipped_reversal'
                when x.direction = 'out' then 'skipped_money_out'
                when x.direction is null then 'skipped_not_money_in'
                when not x.allocatable then 'payer_unknown'
                when x.amount is null then 'amount_unavailable'
                when x.amount > v_max_amount then 'amount_above_limit'
                when x.confidence < v_min_confidence then 'low_confidence'
                when x.txn_id is null and v_require_txn_id then 'txn_id_missing'
            end as reason,
            case
                when x.format is null then 'no known SMS format matched'
                when not x.genuine and nullif(x.sender, '') is null then format(
                    'the gateway gave no sender for this %s SMS and MOMO_ALLOCATOR_REQUIRE_SENDER is on',
                    x.provider
                )
                when not x.genuine then format(
                    'sender %s is not an operator sender of %s (momo_provider_senders): '
                    'a possible fake payment SMS',
                    x.sender, x.provider
                )
                when x.direction is distinct from 'in' or x.kind = 'reversal'
                    then format('%s (%s) is not money in from a person', x.kind, x.format)
                when not x.allocatable then format('%s has no payer to credit', x.kind)
                when x.amount is null then 'the amount could not be read'
                when x.amount > v_max_amount then format(
                    'amount %s is above MOMO_ALLOCATOR_MAX_AMOUNT %s', x.amount, v_max_amount
                )
                when x.confidence < v_min_confidence then format(
                    'confidence %s is below MOMO_ALLOCATOR_MIN_CONFIDENCE %s',
                    x.confidence, v_min_confidence
                )
                else 'the SMS has no transaction id and MOMO_ALLOCATOR_REQUIRE_TXN_ID is on'
            end as detail
        from momo_alloc_work as x
        where x.outcome is null
    ) as c
    where w.inbox_id = c.inbox_id and c.reason is not null;
end;
$$;


--
-- Name: FUNCTION _momo_alloc_screen(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_screen() IS 'Allocation stage, decide what cannot be credited: of the SMS in momo_alloc_work, only genuine money in from a person, read well enough (amount, MOMO_ALLOCATOR_MAX_AMOUNT, MOMO_ALLOCATOR_MIN_CONFIDENCE, MOMO_ALLOCATOR_REQUIRE_TXN_ID) goes further; the others get outcome skipped or unmatched with a reason and detail.';


--
-- Name: _momo_alloc_store(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_store() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- Genuine SMS claim their transaction id.
    perform _momo_alloc_store_parses(true);

    -- A genuine SMS whose txn id is already claimed: the whole payment the same
    -- (amount, kind, time, the balance stated and, for money in, the payer) is the
    -- payment notified again, a duplicate; anything else is a conflict, named with
    -- where the money went.
    with claimed_before as (
        select
            w.inbox_id,
            c.id,
            c.inbox_id as claimed_inbox_id,
            coalesce(
                c.amount = w.amount and c.kind = w.kind
                and (
                    c.txn_ts = w.txn_ts or not w.txn_ts_from_sms
                    or c.parsed_json ->> 'txn_ts_source' is distinct from 'sms'
                )
                and (c.balance is null or w.balance is null or c.balance = w.balance)
                and (
                    w.direction is distinct from 'in'
                    or (
                        c.sender_name is not distinct from w.sender_name
                        and c.msisdn_e164 is not distinct from w.msisdn_e164
                        and c.msisdn_suffix is not distinct from w.msisdn_suffix
                    )
                ),
                false
            ) as same_movement,
            (
                select l.id
                from contributions_ledger as l
                where l.parsed_id = c.id and l.source = 'sms'
                order by l.id
                limit 1
            ) as ledger_id
        from momo_alloc_work as w
        inner join momo_parsed_txns as c on w.txn_id = c.txn_id
        where w.parsed_id is null and w.genuine
    )

    update momo_alloc_work as w
    set
        duplicate_of = case when c.same_movement then c.id end,
        conflicts_with = case when not c.same_movement then c.id end,
        member_id = null,
        ikimina_id = null,
        matched_by = null,
        outcome = case when c.same_movement then 'duplicate' else 'unmatched' end,
        reason = case when c.same_movement then 'duplicate_txn' else 'txn_id_conflict' end,
        detail = case
            when c.same_movement then format(
                'transaction %s was already parsed (momo_parsed_txns.id %s)', w.txn_id, c.id
            )
            else format(
                'transaction %s is claimed by SMS %s (momo_parsed_txns.id %s) with another amount, '
                'kind, time, payer or balance: %s. One of the two is not the operator''s: compare '
                'both with the phone''s MoMo statement',
                w.txn_id, c.claimed_inbox_id, c.id,
                case
                    when c.ledger_id is not null
                        then format('the money is in ledger entry %s', c.ledger_id)
                    else 'that SMS was not credited'
                end
            )
        end
    from claimed_before as c
    where w.inbox_id = c.inbox_id;

    -- The rest: duplicates, conflicts, and the SMS that are not genuine.
    perform _momo_alloc_store_parses(false);
end;
$$;


--
-- Name: FUNCTION _momo_alloc_store(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_store() IS 'Allocation stage, store the parses: genuine SMS claim their txn id in momo_parsed_txns; a genuine SMS whose txn id was claimed before becomes a duplicate (same amount, kind, time, balance and, for money in, payer) or a txn_id_conflict case naming the ledger entry that holds the money (in momo_alloc_work); then the rest are stored without a txn id.';


--
-- Name: _momo_alloc_store_parses(boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_store_parses(p_claiming boolean) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_window interval := _setting('MOMO_BALANCE_TIME_WINDOW')::interval;
begin
    -- p_claiming: the genuine SMS, each claiming its txn id (on conflict: not stored,
    -- parsed_id stays null). Otherwise all the SMS left, with no txn id of their own.
    -- Rows go in txn_id order so parallel allocators take index locks in one order.
    with stored as (
        insert into momo_parsed_txns (
            inbox_id, account, direction, kind, format, msisdn_e164, msisdn_suffix, sender_name,
            sender_note, amount, currency, txn_id, txn_ts, balance, fee, genuine, confidence,
            duplicate_of, sms_time_ok, parsed_json
        )
        select
            w.inbox_id, w.account, w.direction, w.kind, w.format, w.msisdn_e164, w.msisdn_suffix,
            w.sender_name, w.sender_note, w.amount, w.currency,
            case when p_claiming then w.txn_id end, w.txn_ts, w.balance, w.fee, w.genuine,
            w.confidence, w.duplicate_of,
            -- the time written in the SMS against when the phone received it
            case when w.txn_ts_from_sms then (
                select i.received_at between w.txn_ts - v_window and w.txn_ts + v_window
                from momo_sms_inbox as i
                where i.id = w.inbox_id
            ) end,
            jsonb_strip_nulls(jsonb_build_object(
                'txn_id', case when not p_claiming then w.txn_id end,
                'allocatable', w.allocatable,
                'txn_ts_source', case when w.txn_ts_from_sms then 'sms' else 'received_at' end,
                'conflicts_with', w.conflicts_with
            ))
        from momo_alloc_work as w
        where w.parsed_id is null and (w.genuine or not p_claiming)
        order by w.txn_id, w.inbox_id
        on conflict (txn_id) do nothing
        returning id, inbox_id
    )

    -- The work row keeps the parse it is posted or cased with: its own claim, or the
    -- parse of its duplicate or conflict (an SMS that is not genuine keeps none).
    update momo_alloc_work as w set parsed_id = s.id
    from stored as s
    where
        w.inbox_id = s.inbox_id
        and (p_claiming or w.duplicate_of is not null or w.conflicts_with is not null);
end;
$$;


--
-- Name: FUNCTION _momo_alloc_store_parses(p_claiming boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_store_parses(p_claiming boolean) IS 'Inserts the parses of momo_alloc_work rows into momo_parsed_txns, the one place that writes them: with p_claiming the genuine SMS, each claiming its txn id (unless another SMS holds it), else the rest without a txn id of their own (duplicate_of, conflicts_with in parsed_json).';


--
-- Name: _momo_alloc_work_open(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_alloc_work_open() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- A session that made the table under an earlier shape (a pooled session
    -- across a deploy) makes it again: its columns, names and types in order,
    -- are compared as a whole with the type momo_alloc_work_row.
    if to_regclass('pg_temp.momo_alloc_work') is not null and (
        select array_agg(row(a.attname, a.atttypid) order by a.attnum)
        from pg_attribute as a
        where a.attrelid = to_regclass('pg_temp.momo_alloc_work') and a.attnum > 0 and not a.attisdropped
    ) is distinct from (
        select array_agg(row(a.attname, a.atttypid) order by a.attnum)
        from pg_attribute as a
        where a.attrelid = 'momo_alloc_work_row'::regclass and a.attnum > 0 and not a.attisdropped
    ) then
        drop table pg_temp.momo_alloc_work;
    end if;
    -- Per-session scratch table for one batch; emptied at every commit.
    -- (The first columns, in order, are what _momo_alloc_parse inserts.) A step
    -- that needs a new column adds it to the type, in a migration:
    -- alter type momo_alloc_work_row add attribute ...; sessions then remake the table.
    if to_regclass('pg_temp.momo_alloc_work') is null then
        create temp table momo_alloc_work (
            like momo_alloc_work_row,
            primary key (inbox_id)
        ) on commit delete rows;
        alter table momo_alloc_work alter column released_hold set default false;
        alter table momo_alloc_work alter column released_hold set not null;
    else
        delete from momo_alloc_work;
    end if;
end;
$$;


--
-- Name: FUNCTION _momo_alloc_work_open(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_alloc_work_open() IS 'Creates (once per session) or empties the temp table momo_alloc_work through which the allocation steps pass one batch within one transaction, one row of type momo_alloc_work_row per SMS: the SMS, its parse and what each step decided. A table of another shape is made again.';


--
-- Name: _momo_allocate_isolating(bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_allocate_isolating(p_ids bigint[]) RETURNS public.momo_allocation_summary
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_half integer;
    v_left momo_allocation_summary;
    v_message text;
    v_sqlstate text;
begin
    begin
        return _momo_allocate_rows(p_ids);
    exception
        -- Not part of "others": a statement timeout or a cancel arrive here.
        when query_canceled then
            get stacked diagnostics v_message = message_text, v_sqlstate = returned_sqlstate;
        when others then
            get stacked diagnostics v_message = message_text, v_sqlstate = returned_sqlstate;
    end;

    -- A fault of the whole system would fail every half alike: stop here, leave the
    -- rows queued and uncharged, and let the caller record the fault.
    if _momo_fault_is_systemic(v_sqlstate) then
        return _momo_summary(
            p_fault => jsonb_build_object('sqlstate', v_sqlstate, 'message', left(v_message, 400))
        );
    end if;

    -- The batch failed because of (some of) its rows: bisect until the poison rows
    -- are alone, so every healthy row is still allocated in this run.
    if cardinality(p_ids) = 1 then
        return _momo_summary(1, jsonb_build_array(_momo_alloc_record_sms_failure(p_ids[1], v_message)));
    end if;

    v_half := cardinality(p_ids) / 2;
    v_left := _momo_allocate_isolating(p_ids[1:v_half]);
    if v_left.fault is not null then
        -- The system failed while bisecting: the other half waits for a later run.
        return v_left;
    end if;
    return _momo_summary_add(v_left, _momo_allocate_isolating(p_ids[v_half + 1:]));
end;
$$;


--
-- Name: FUNCTION _momo_allocate_isolating(p_ids bigint[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_allocate_isolating(p_ids bigint[]) IS 'Runs the pipeline on a batch in a subtransaction. If it fails for a reason of the whole system (_momo_fault_is_systemic) it returns the fault and leaves every row queued and uncharged; if it fails because of its rows, it splits the batch in halves until each failing row is alone and recorded, so one poison SMS never blocks the others.';


--
-- Name: _momo_allocate_rows(bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_allocate_rows(p_ids bigint[]) RETURNS public.momo_allocation_summary
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- The steps pass the batch on in the temp table momo_alloc_work, set-based:
    -- each statement handles the whole batch, no step runs once per SMS.
    perform _momo_alloc_work_open();
    if _momo_alloc_parse(p_ids) = 0 then
        return _momo_summary();
    end if;
    perform _momo_alloc_screen();
    perform _momo_alloc_resolve();

    -- From here on a statement may meet a txn id that a parallel allocator has stored
    -- but not committed, and then waits for that commit: the work after this point is
    -- kept as short as it can be, so that such waits are short.
    perform _momo_alloc_store();
    perform _momo_alloc_balance_check();
    perform _momo_alloc_cases();
    -- Post to the ledger (the cycle totals follow in its trigger).
    perform _momo_alloc_post_ledger(_setting('MOMO_TIMEZONE'));
    -- Every outcome is decided: the inbox rows get theirs, once. This write lies
    -- within the wait above: a parallel batch that meets one of this batch's txn
    -- ids (rare: a repeat of an SMS in two batches at once) waits for it too.
    -- Measured on a 10,000 SMS backlog in batches of 500 (pg_stat_user_functions):
    -- about 11 ms a batch; writing the inbox before the claims cost as much, and
    -- its four corrections within the wait 2 to 3 ms. Writing once is kept.
    perform _momo_alloc_close_inbox();
    perform _momo_alloc_holds_close();

    return _momo_summary_of_work();
end;
$$;


--
-- Name: FUNCTION _momo_allocate_rows(p_ids bigint[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_allocate_rows(p_ids bigint[]) IS 'The allocation pipeline for a set of claimed inbox rows, set-based, one function per step: parse and verify the sender (_momo_alloc_parse), decide what cannot be credited (_momo_alloc_screen), resolve the member (_momo_alloc_resolve), store the parses, genuine SMS claiming their txn id (_momo_alloc_store), check the balance chain (_momo_alloc_balance_check), open cases (_momo_alloc_cases), post to the ledger (_momo_alloc_post_ledger), then write the inbox outcomes once (_momo_alloc_close_inbox) and close the released holds (_momo_alloc_holds_close). Returns the batch''s summary; raises on unexpected errors.';


--
-- Name: _momo_allocator_batches(boolean); Type: PROCEDURE; Schema: public; Owner: -
--

CREATE PROCEDURE public._momo_allocator_batches(IN p_only_while_draining boolean)
    LANGUAGE plpgsql
    AS $$
declare
    v_deadline timestamptz := pg_catalog.clock_timestamp()
        + public._setting('MOMO_ALLOCATOR_TIME_BUDGET')::interval;
    v_batch_size integer := public._setting('MOMO_ALLOCATOR_DRAIN_BATCH_SIZE')::integer;
    v_summary jsonb;
begin
    loop
        -- Pause means stop: momo_allocate() refuses (MM409) once momo_allocator_pause()
        -- has committed, so at most the batch in flight at that moment commits.
        exit when coalesce((public._momo_allocator_paused()).paused, false);
        begin
            v_summary := public.momo_allocate(v_batch_size);
        exception when sqlstate 'MM409' then
            exit;  -- paused between the check above and the claim
        end;
        commit;
        exit when (v_summary ->> 'processed')::integer < v_batch_size
            -- the whole system failed: the next run (a minute later) tries again
            or v_summary ? 'fault'
            or pg_catalog.clock_timestamp() >= v_deadline
            or (p_only_while_draining and not public._momo_drain_running());
    end loop;
end;
$$;


--
-- Name: PROCEDURE _momo_allocator_batches(IN p_only_while_draining boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON PROCEDURE public._momo_allocator_batches(IN p_only_while_draining boolean) IS 'The loop behind momo_allocator_drain() and momo_allocator_assist(): momo_allocate() batch after batch (MOMO_ALLOCATOR_DRAIN_BATCH_SIZE rows), each committed, until the queue is empty, MOMO_ALLOCATOR_TIME_BUDGET is spent, the allocator is paused (checked before every batch), a fault of the whole system stops a batch, or (p_only_while_draining) no drain runs any more.';


--
-- Name: momo_allocator_control; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_allocator_control (
    singleton boolean DEFAULT true NOT NULL,
    paused boolean NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL,
    changed_by text DEFAULT SESSION_USER NOT NULL,
    reason text NOT NULL,
    CONSTRAINT momo_allocator_control_reason_check CHECK ((btrim(reason) <> ''::text)),
    CONSTRAINT momo_allocator_control_singleton_check CHECK (singleton)
);


--
-- Name: TABLE momo_allocator_control; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_allocator_control IS 'Whether the allocator is paused (at most one row; no row = running). Written only by momo_allocator_pause() and momo_allocator_resume(); momo_allocate() refuses (MM409) while paused, so running drains, assists and the HTTP trigger stop before their next batch.';


--
-- Name: _momo_allocator_paused(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_allocator_paused() RETURNS public.momo_allocator_control
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select c.* from public.momo_allocator_control as c where c.paused;
$$;


--
-- Name: FUNCTION _momo_allocator_paused(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_allocator_paused() IS 'The pause row while the allocator is paused (momo_allocator_pause), else null.';


--
-- Name: _momo_allocator_record_fault(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_allocator_record_fault(p_fault jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- Best effort, and never a wait: the one open fault row is shared by every
    -- allocator session, and waiting for it while holding a batch's row locks can
    -- close a deadlock with a session that waits for those rows. When another
    -- session is recording or clearing at this moment, its record stands; the next
    -- batch records (or clears) again.
    if not pg_try_advisory_xact_lock(hashtext('momo_allocator_faults')) then
        return;
    end if;
    if p_fault is null then
        -- This batch ran without a fault of the whole system: the fault is over.
        update public.momo_allocator_faults
        set cleared_at = greatest(now(), last_at)
        where cleared_at is null;
        return;
    end if;
    insert into public.momo_allocator_faults as f (sqlstate, message)
    values (p_fault ->> 'sqlstate', p_fault ->> 'message')
    on conflict ((true)) where cleared_at is null do update
    set sqlstate = excluded.sqlstate,
        message = excluded.message,
        last_at = greatest(now(), f.last_at),
        occurrences = f.occurrences + 1;
end;
$$;


--
-- Name: FUNCTION _momo_allocator_record_fault(p_fault jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_allocator_record_fault(p_fault jsonb) IS 'After each allocation batch: p_fault {"sqlstate","message"} opens (or extends) the one open row of momo_allocator_faults; null closes it (cleared_at). Skipped, never waited for, while another session records or clears (a transaction-level advisory lock).';


--
-- Name: _momo_allocator_set_active(boolean, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_allocator_set_active(p_active boolean, p_reason text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_verb text := case when p_active then 'resume' else 'pause' end;
    v_job record;
    v_before jsonb;
    v_after jsonb;
    v_paused boolean;
begin
    if not public._has_visible_character(p_reason) then
        raise exception 'a reason is required to % the allocator', v_verb
            using errcode = 'MM400', column = 'p_reason',
            hint = 'Say why, e.g. ''incident 42: wrong allocations, investigating''.';
    end if;
    if to_regclass('cron.job') is null then
        raise exception 'pg_cron is not installed in database %: there is no allocator job to %',
            current_database(), v_verb
            using errcode = 'MM404';
    end if;
    select j.jobid, j.jobname, j.schedule, j.command, j.active into v_job
    from cron.job as j
    where j.jobname = 'momo-allocator' and j.database = current_database()
    order by j.jobid
    limit 1
    for update;
    if not found then
        raise exception 'the pg_cron job momo-allocator does not exist'
            using errcode = 'MM404',
            hint = 'The allocator migration creates it; see select jobid, jobname, active from cron.job.';
    end if;
    -- Already there only when both switches agree: a job switched off by hand
    -- (cron.alter_job) still lets running drains and the HTTP trigger allocate.
    v_paused := coalesce((select c.paused from public.momo_allocator_control as c), false);
    if v_job.active = p_active and v_paused = not p_active then
        raise exception 'the allocator is already %', case when p_active then 'running' else 'paused' end
            using errcode = 'MM409', hint = 'See select * from monitoring.allocator_status.';
    end if;

    v_before := jsonb_build_object(
        'jobid', v_job.jobid, 'jobname', v_job.jobname, 'schedule', v_job.schedule,
        'command', v_job.command, 'active', v_job.active
    );
    perform cron.alter_job(v_job.jobid, active := p_active);
    -- What every allocation reads before its next batch (the job switch only stops new runs).
    insert into public.momo_allocator_control as c (paused, reason)
    values (not p_active, p_reason)
    on conflict (singleton) do update
    set paused = excluded.paused, changed_at = now(), changed_by = session_user, reason = excluded.reason;
    v_after := v_before || jsonb_build_object('active', p_active);
    perform public._audit(
        'momo_allocator_' || v_verb, 'cron.job', v_job.jobname, p_reason, v_before, v_after
    );
    return v_after;
end;
$$;


--
-- Name: FUNCTION _momo_allocator_set_active(p_active boolean, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_allocator_set_active(p_active boolean, p_reason text) IS 'Switches the pg_cron job momo-allocator on or off (cron.alter_job) and records the pause in momo_allocator_control (read by momo_allocate before every batch), with a reason; audited. Called by momo_allocator_pause() and momo_allocator_resume().';


--
-- Name: _momo_amount(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_amount(p_text text) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
    select case
        when p_text ~ '^([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,16})(\.[0-9]{1,2})?$'
            and length(replace(p_text, ',', '')) <= 19
            and replace(p_text, ',', '')::numeric > 0
            then replace(p_text, ',', '')::numeric
    end;
$_$;


--
-- Name: FUNCTION _momo_amount(p_text text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_amount(p_text text) IS 'An SMS amount (12,500 or 12500 or 12500.50) as numeric; null when it is malformed, zero or too large to be a real payment.';


--
-- Name: _momo_balance_gaps(interval); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_balance_gaps(p_lookback interval) RETURNS TABLE(account text, before_inbox_id bigint, after_inbox_id bigint, before_txn_ts timestamp with time zone, after_txn_ts timestamp with time zone, balance_after_before numeric, balance_before_after numeric, explained_between numeric, missing_amount numeric)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    -- Genuine money movements of the lookback window, by the time written in them;
    -- loose = running total of the movements that state no balance (they explain
    -- part of the next step); tail = how many verified SMS are at or after each one.
    with movements as (
        select
            p.account,
            p.id,
            p.inbox_id,
            p.txn_ts,
            p.balance,
            p.movement,
            h.verified_how,
            p.sms_time_ok,
            sum(case when p.balance is null then p.movement else 0 end)
                over (partition by p.account order by p.txn_ts, p.id) as loose,
            -- loose_other leaves out a bundle's Yello SMS, whose movement its *162*
            -- payment SMS states again with a balance
            sum(
                case
                    when p.balance is null and p.kind is distinct from 'bundle_purchase'
                        then p.movement
                    else 0
                end
            ) over (partition by p.account order by p.txn_ts, p.id) as loose_other,
            count(h.verified_how)
                over (partition by p.account order by p.txn_ts desc, p.id desc) as tail
        from public.momo_parsed_txns as p
        left join public.momo_balance_history as h on p.id = h.parsed_id
        where p.movement is not null and p.created_at > now() - p_lookback
    ),

    verified as (
        select
            m.*,
            lag(m.inbox_id) over w as before_inbox_id,
            lag(m.txn_ts) over w as before_txn_ts,
            lag(m.balance) over w as before_balance,
            lag(m.loose) over w as before_loose,
            lag(m.loose_other) over w as before_loose_other,
            row_number() over (partition by m.account order by m.txn_ts desc, m.id desc) as newest
        from movements as m
        where m.verified_how is not null
        window w as (partition by m.account order by m.txn_ts, m.id)
    ),

    -- 1. Where the verified history stops: the first balance-stating SMS after the
    -- newest verified one that does not link to it (nothing verified follows it,
    -- so no genuine SMS stepped over it: money is missing, or it is a forgery
    -- newer than every genuine SMS).
    frontier as (
        select distinct on (u.account)
            u.account,
            v.inbox_id as before_inbox_id,
            u.inbox_id as after_inbox_id,
            v.txn_ts as before_txn_ts,
            u.txn_ts as after_txn_ts,
            v.balance as balance_after_before,
            u.balance - u.movement as balance_before_after,
            u.loose - v.loose as explained_between,
            u.loose_other - v.loose_other as explained_other
        from movements as u
        inner join verified as v on u.account = v.account and v.newest = 1
        where
            u.tail = 0 and u.verified_how is null and u.balance is not null
            and u.sms_time_ok is not false
        order by u.account, u.txn_ts, u.id
    ),

    -- 2. Where a person's anchor restarted the history over money no SMS explains.
    anchored as (
        select
            a.account,
            a.before_inbox_id,
            a.inbox_id as after_inbox_id,
            a.before_txn_ts,
            a.txn_ts as after_txn_ts,
            a.before_balance as balance_after_before,
            a.balance - a.movement as balance_before_after,
            a.loose - a.before_loose as explained_between,
            a.loose_other - a.before_loose_other as explained_other
        from verified as a
        where a.verified_how = 'anchor' and a.before_inbox_id is not null
    )

    select
        g.account,
        g.before_inbox_id,
        g.after_inbox_id,
        g.before_txn_ts,
        g.after_txn_ts,
        g.balance_after_before,
        g.balance_before_after,
        g.explained_between,
        g.balance_before_after - g.balance_after_before - g.explained_between as missing_amount
    from (
        select * from frontier
        union all
        select * from anchored
    ) as g
    -- a break only where no reading of the movements in between explains the money
    where
        g.balance_before_after <> g.balance_after_before
        and g.balance_before_after <> g.balance_after_before + g.explained_between
        and g.balance_before_after <> g.balance_after_before + g.explained_other;
$$;


--
-- Name: FUNCTION _momo_balance_gaps(p_lookback interval); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_balance_gaps(p_lookback interval) IS 'The breaks in every account''s verified balance history among the SMS parsed in the last p_lookback (where money is unexplained: after the newest verified SMS, and before an anchor that restarted it); see monitoring.balance_gaps, which reads it with MOMO_BALANCE_GAPS_LOOKBACK.';


--
-- Name: _momo_balance_history_forget(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_balance_history_forget() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- A deleted parse (momo_sms_requeue undoes a run) leaves the verified history too.
    delete from momo_balance_history as h
    using deleted as d
    where h.parsed_id = d.id;
    return null;
end;
$$;


--
-- Name: FUNCTION _momo_balance_history_forget(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_balance_history_forget() IS 'Statement trigger of momo_parsed_txns: a deleted parse''s row of momo_balance_history goes with it (the history has no foreign key, see V0041).';


--
-- Name: _momo_balance_release(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_balance_release() RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_released integer;
begin
    if not _momo_balance_release_pick() then
        return 0;
    end if;

    insert into momo_unmatched (inbox_id, parsed_id, reason, detail)
    select w.inbox_id, w.parsed_id, w.reason, w.detail
    from momo_alloc_work as w
    where w.outcome = 'unmatched'
    order by w.inbox_id
    on conflict (inbox_id) where status = 'open' do nothing;

    perform _momo_alloc_post_ledger(_setting('MOMO_TIMEZONE'));
    perform _momo_alloc_close_inbox();
    perform _momo_alloc_holds_close();

    select count(*)::integer into v_released from momo_alloc_work;
    return v_released;
end;
$$;


--
-- Name: FUNCTION _momo_balance_release(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_balance_release() IS 'Re-examines the balance holds no batch released (_momo_balance_release_pick): all of them when MOMO_BALANCE_CHECK is no longer hold (posted), those verified meanwhile (posted), and those whose MOMO_BALANCE_CHECK_WAIT is over (walked again, posted if verified now, else a balance_unverified case; an account another session is walking is left to the next run). Returns how many it released.';


--
-- Name: _momo_balance_release_pick(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_balance_release_pick() RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET enable_seqscan TO 'off'
    AS $$
declare
    v_check text := _setting('MOMO_BALANCE_CHECK');
    v_wait interval := _setting('MOMO_BALANCE_CHECK_WAIT')::interval;
    v_accounts text[];
    v_from timestamptz[];
    v_walked text[] := '{}'::text[];
begin
    -- Batches release the holds their own SMS verify (a walk waits for another
    -- session's walk of the account to commit, so it sees that session's SMS).
    -- Left for this step: every hold when the check is no longer hold, holds
    -- verified meanwhile (an anchor, another session's walk), and holds whose wait
    -- is over (walked once more first).
    if v_check = 'hold' and not exists (
        select
        from momo_balance_holds as h
        where h.released_at is null and h.held_at <= now() - v_wait
    ) and not exists (
        select
        from momo_balance_holds as h
        where
            h.released_at is null
            and (select true from momo_balance_history as v where v.parsed_id = h.parsed_id)
    ) then
        return false;
    end if;

    if v_check <> 'off' then
        select array_agg(r.account), array_agg(r.txn_ts) into v_accounts, v_from
        from (
            select h.account, min(p.txn_ts) as txn_ts
            from momo_balance_holds as h
            inner join momo_parsed_txns as p on h.parsed_id = p.id
            where
                h.released_at is null
                and (select true from momo_balance_history as v where v.parsed_id = h.parsed_id) is null
                and h.held_at <= now() - v_wait
            group by h.account
        ) as r;
        -- An account another session is walking now is left to that walk and to the
        -- next run: waiting here, after the batch's own walks, could close a deadlock.
        v_walked := _momo_balance_walk_lock(v_accounts, false);
        select array_agg(a.account), array_agg(a.from_ts) into v_accounts, v_from
        from unnest(v_accounts, v_from) as a (account, from_ts)
        where a.account = any(v_walked);
        perform _momo_balance_verify(v_accounts, v_from);
    end if;

    perform _momo_alloc_work_open();

    with open_holds as (
        select h.inbox_id, h.parsed_id, h.held_at, h.account, h.member_id, h.ikimina_id, h.matched_by
        from momo_balance_holds as h
        where
            h.released_at is null and h.held_at < now()
            and (
                v_check <> 'hold'
                or (select true from momo_balance_history as v where v.parsed_id = h.parsed_id)
                or (h.held_at <= now() - v_wait and h.account = any(v_walked))
            )
        order by h.inbox_id
        for update of h skip locked
    ),

    checked as (
        select
            o.*,
            v.verified as linked,
            v_check <> 'hold' or v.verified as releasable
        from open_holds as o
        cross join lateral (
            select exists (select from momo_balance_history as h where h.parsed_id = o.parsed_id) as verified
        ) as v
    )

    insert into momo_alloc_work (
        inbox_id, account, format, amount, currency, txn_id, txn_ts, parsed_id, member_id,
        ikimina_id, matched_by, balance_verified, released_hold, outcome, reason, detail
    )
    select
        c.inbox_id, c.account, p.format, p.amount, p.currency, p.txn_id, p.txn_ts, c.parsed_id,
        c.member_id, c.ikimina_id, c.matched_by, c.linked, true,
        case
            when c.releasable then null
            when c.held_at <= now() - v_wait then 'unmatched'
            else 'held'
        end,
        case when not c.releasable and c.held_at <= now() - v_wait then 'balance_unverified' end,
        case when not c.releasable and c.held_at <= now() - v_wait then format(
            'the balance this SMS states (%s) did not link to the verified history of account %s '
            'within MOMO_BALANCE_CHECK_WAIT %s: possibly a forged SMS, or an SMS before it was '
            'never forwarded (monitoring.balance_gaps; an anchor: balance_anchor_confirm)',
            p.balance, c.account, v_wait
        ) end
    from checked as c
    inner join momo_parsed_txns as p on c.parsed_id = p.id;

    -- Still waiting: nothing to do for those.
    delete from momo_alloc_work where outcome = 'held';
    return true;
end;
$$;


--
-- Name: FUNCTION _momo_balance_release_pick(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_balance_release_pick() IS 'Part of _momo_balance_release: the balance holds no batch released that are due now go into a fresh momo_alloc_work as released holds (released_hold): all of them when MOMO_BALANCE_CHECK is no longer hold, those verified meanwhile, and those whose MOMO_BALANCE_CHECK_WAIT is over (their accounts walked again first, unless another session is walking one: left to the next run), as unmatched balance_unverified when still not verified. False when none can be due.';


--
-- Name: _momo_balance_verify(text[], timestamp with time zone[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_balance_verify(p_accounts text[], p_from timestamp with time zone[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET enable_seqscan TO 'off'
    AS $$
declare
    v_count integer;
begin
    -- One walk at a time per account, to the end of the transaction: a walk waits for
    -- one in another session to commit, and then sees the SMS that walk stored and
    -- verified. Without it, two allocator sessions with SMS of one account would
    -- each walk without the other's, and hold credits that only wait for them.
    perform _momo_balance_walk_lock(p_accounts, true);

    -- Per account of p_accounts, its genuine SMS by the time written in them, from
    -- the latest verified SMS before the account's p_from to the newest. The
    -- verified balance so far starts at that SMS's balance (none: only a verified
    -- SMS, an anchor, sets one). An SMS verifies when the verified balance so far
    -- plus its movement (with or without the movements that state no balance since:
    -- an attacker can add such SMS) is the balance it states. An SMS that does not
    -- link (junk, a forgery, one outside the time window) is stepped over and leaves
    -- the verified balance as it was; a verified SMS (an anchor, or one an earlier
    -- walk verified) sets it. A link to an unverified SMS verifies nothing, so
    -- forgeries that only link to each other stay unverified.
    --
    -- Set-based: as long as every balance-stating SMS links to the one before it (as
    -- genuine SMS do), window functions verify them all at once. From an account's
    -- first SMS that does not (junk, a forgery, a dropped SMS, a movement stated
    -- without a balance, a verified SMS further on), a recursive query walks on SMS
    -- by SMS, for that account only: it steps over what does not link and counts
    -- the movements that state no balance.
    with recursive accounts as (
        select a.account, min(a.from_ts) as from_ts
        from unnest(p_accounts, p_from) as a (account, from_ts)
        where a.account is not null and a.from_ts is not null
        group by a.account
    ),

    -- Each account's start: its latest verified SMS written before p_from.
    starts as (
        select
            a.account,
            coalesce(s.txn_ts, a.from_ts) as txn_ts,
            coalesce(s.id, 0) as id,
            s.balance
        from accounts as a
        left join lateral (
            select p.txn_ts, p.id, p.balance
            from momo_parsed_txns as p
            where
                p.account = a.account and p.movement is not null and p.txn_ts < a.from_ts
                and (select true from momo_balance_history as h where h.parsed_id = p.id)
            order by p.txn_ts desc, p.id desc
            limit 1
        ) as s on true
    ),

    -- The SMS after it that state a balance and may link (within the time window), or
    -- are verified already (the first way through needs no other); last_verified_ts:
    -- when the account's newest verified SMS was written.
    stretch as (
        select
            g.*,
            max(g.txn_ts) filter (where g.verified_how is not null) over (partition by g.account)
                as last_verified_ts
        from (
            select
                p.id, p.account, p.txn_ts, p.movement, p.balance, p.sms_time_ok,
                s.txn_ts as start_txn_ts, s.id as start_id, s.balance as start_balance,
                (select h.verified_how from momo_balance_history as h where h.parsed_id = p.id)
                    as verified_how
            from starts as s
            inner join momo_parsed_txns as p
                on
                    s.account = p.account and p.movement is not null
                    and (p.txn_ts, p.id) > (s.txn_ts, s.id)
            where p.balance is not null
            -- (each probe once, not once per use of verified_how)
            offset 0
        ) as g
        where g.verified_how is not null or g.sms_time_ok is not false
    ),

    -- Each one's neighbours among them: the one before it (for the first, the start)
    -- and the one after it; newest: written after every verified SMS (one written in
    -- the same second as the last verified SMS is not taken as newest: the walk below
    -- decides it).
    neighbours as (
        select
            t.id, t.account, t.txn_ts, t.movement, t.balance, t.verified_how,
            coalesce(lag(t.txn_ts) over w, t.start_txn_ts) as before_txn_ts,
            coalesce(lag(t.id) over w, t.start_id) as before_id,
            case when lag(t.id) over w is null then t.start_balance else lag(t.balance) over w end
                as before_balance,
            lead(t.verified_how) over w as next_how,
            lead(t.balance) over w as next_balance,
            lead(t.movement) over w as next_movement,
            t.last_verified_ts,
            t.last_verified_ts is null or t.txn_ts > t.last_verified_ts as newest
        from stretch as t
        window w as (partition by t.account order by t.txn_ts, t.id)
    ),

    -- linked: a new SMS whose balance is the one before it plus its movement, and
    -- which the next verified SMS (if any) links to in turn: an SMS cannot slip in
    -- before a verified SMS that linked without it (of the two, one is forged),
    -- unless that one is an anchor a person confirmed. Up to an account's first new
    -- SMS that is not linked (breaks = 0), every one is verified: each links to the
    -- one before it, verified in turn, as the walk below would find.
    ordered as (
        select
            n.*,
            count(*) filter (where n.verified_how is null and not n.linked)
                over (partition by n.account order by n.txn_ts, n.id) as breaks
        from (
            select
                b.*,
                b.verified_how is null and (b.before_balance + b.movement = b.balance) is true
                and (
                    b.newest or b.next_how = 'anchor'
                    or (b.next_how is not null and b.balance + b.next_movement = b.next_balance)
                ) as linked
            from neighbours as b
        ) as n
    ),

    -- From there, SMS by SMS: the walk starts at the SMS before the first break, with
    -- its balance as the verified balance.
    walk as (
        (
            select distinct on (o.account)
                o.account,
                o.before_txn_ts as txn_ts,
                o.before_id as id,
                o.before_balance as verified_balance,
                0::numeric as loose,
                0::numeric as loose_other,
                false as verifies,
                o.last_verified_ts
            from ordered as o
            where o.breaks = 1
            order by o.account, o.txn_ts, o.id
        )

        union all

        select
            w.account,
            n.txn_ts,
            n.id,
            case when n.verified_how is not null or n.verifies then n.balance else w.verified_balance end,
            case
                when n.verified_how is not null or n.verifies then 0
                when n.adds_loose then w.loose + n.movement
                else w.loose
            end,
            case
                when n.verified_how is not null or n.verifies then 0
                when n.adds_loose and n.kind is distinct from 'bundle_purchase' then w.loose_other + n.movement
                else w.loose_other
            end,
            n.verifies,
            w.last_verified_ts
        from walk as w
        cross join lateral (
            select
                x.*,
                x.verified_how is null and x.sms_time_ok is not false and x.balance is null as adds_loose,
                case
                    when
                        x.verified_how is null and x.sms_time_ok is not false
                        and (
                            w.verified_balance + x.movement = x.balance
                            or w.verified_balance + w.loose + x.movement = x.balance
                            or w.verified_balance + w.loose_other + x.movement = x.balance
                        )
                        -- (the verified SMS after it, looked for only where one can be)
                        then w.last_verified_ts is null or x.txn_ts > w.last_verified_ts or coalesce((
                            select a.verified_how = 'anchor' or x.balance + a.movement = a.balance
                            from (
                                select
                                    ahead.movement, ahead.balance,
                                    (
                                        select h.verified_how from momo_balance_history as h
                                        where h.parsed_id = ahead.id
                                    ) as verified_how
                                from momo_parsed_txns as ahead
                                where
                                    ahead.account = w.account and ahead.movement is not null
                                    and (ahead.txn_ts, ahead.id) > (x.txn_ts, x.id)
                                order by ahead.txn_ts, ahead.id
                            ) as a
                            where a.verified_how is not null
                            limit 1
                        ), true)
                    else false
                end as verifies
            from (
                select
                    p.id, p.txn_ts, p.movement, p.balance, p.kind, p.sms_time_ok,
                    (select h.verified_how from momo_balance_history as h where h.parsed_id = p.id)
                        as verified_how
                from momo_parsed_txns as p
                where
                    p.account = w.account and p.movement is not null
                    and (p.txn_ts, p.id) > (w.txn_ts, w.id)
                order by p.txn_ts, p.id
                limit 1
            ) as x
            -- computed once a step (not copied into each use of n.verifies)
            offset 0
        ) as n
    ),

    verified as (
        select o.id
        from ordered as o
        where o.verified_how is null and o.breaks = 0
        union all
        select w.id
        from walk as w
        where w.verifies
    ),

    -- No other walk of these accounts runs until this transaction ends (the lock
    -- above), and one walk verifies an SMS once: a plain insert.
    marked as (
        insert into momo_balance_history (parsed_id, verified_how)
        select v.id, 'chain'
        from verified as v
        returning 1
    )

    select count(*)::integer into v_count from marked;
    return v_count;
end;
$$;


--
-- Name: FUNCTION _momo_balance_verify(p_accounts text[], p_from timestamp with time zone[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_balance_verify(p_accounts text[], p_from timestamp with time zone[]) IS 'The verified balance chain, set-based over all accounts of p_accounts: walks each one''s genuine SMS by the time written in them from the latest verified SMS before the matching p_from, and adds to momo_balance_history (chain) each SMS whose balance is the verified balance so far plus its movement (with or without the movements that state no balance since), within the time window (sms_time_ok). SMS that do not link are stepped over; a link to an unverified SMS verifies nothing. One walk per account at a time (_momo_balance_walk_lock). Returns how many it verified.';


--
-- Name: _momo_balance_walk_lock(text[], boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_balance_walk_lock(p_accounts text[], p_wait boolean) RETURNS text[]
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_locked text[];
begin
    -- In one order (by key), so that two sessions locking several accounts never
    -- wait for each other in a circle.
    select coalesce(array_agg(l.account order by l.key), '{}') into v_locked
    from (
        select a.account, hashtextextended('momo_balance_walk ' || a.account, 0) as key
        from (select distinct x.account from unnest(p_accounts) as x (account)) as a
        where a.account is not null
        order by key
    ) as l
    where
        case
            when p_wait then pg_advisory_xact_lock(l.key) is not null
            else pg_try_advisory_xact_lock(l.key)
        end;
    return v_locked;
end;
$$;


--
-- Name: FUNCTION _momo_balance_walk_lock(p_accounts text[], p_wait boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_balance_walk_lock(p_accounts text[], p_wait boolean) IS 'The balance walk''s lock of each account of p_accounts (a transaction advisory lock, taken in one order): with p_wait, waits for each; without, takes those free now. Returns the accounts locked.';


--
-- Name: _momo_drain_running(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_drain_running() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    -- momo_allocator_drain() holds this advisory lock, shared, while it runs. Read
    -- from pg_locks, not by trying the lock: a try would itself hold it for a moment.
    select exists (
        select
        from pg_locks as l
        cross join (
            select hashtextextended('momo_allocator_drain', 0) as k
        ) as key
        where
            l.locktype = 'advisory'
            and l.mode = 'ShareLock'
            and l.granted
            and l.objsubid = 1
            and l.database = (select d.oid from pg_database as d where d.datname = current_database())
            and l.classid = ((key.k >> 32) & 4294967295)::oid
            and l.objid = (key.k & 4294967295)::oid
    );
$$;


--
-- Name: FUNCTION _momo_drain_running(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_drain_running() IS 'True while some session runs momo_allocator_drain() (it holds a shared advisory lock on hashtextextended(''momo_allocator_drain'', 0)); what momo_allocator_assist() follows.';


--
-- Name: _momo_fault_is_systemic(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_fault_is_systemic(p_sqlstate text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
    select
        -- 08 connection, 40 transaction rollback (deadlock, serialization), 53 out of
        -- memory or disk, 57 cancelled, shutdown, 58 I/O: the system, not the SMS.
        left(p_sqlstate, 2) in ('08', '40', '53', '57', '58')
        or p_sqlstate in (
            '55P03', -- lock_not_available (lock_timeout)
            '55006', -- object_in_use
            '42501', -- insufficient_privilege
            '42883', -- undefined_function   } a bad deploy: the code is broken
            '42P01', -- undefined_table      } for every row alike
            '42703', -- undefined_column     }
            '42704', -- undefined_object     }
            '3F000', -- invalid_schema_name  }
            'XX001', -- data_corrupted
            'XX002' -- index_corrupted
        );
$$;


--
-- Name: FUNCTION _momo_fault_is_systemic(p_sqlstate text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_fault_is_systemic(p_sqlstate text) IS 'True for errors that say nothing about the SMS being allocated (connection loss, deadlock, serialization failure, lock or statement timeout, cancel, shutdown, out of memory or disk, I/O, missing privilege, function, table or column after a bad deploy): such a failure is retried later as a whole, never bisected or charged to rows.';


--
-- Name: _momo_local_ts(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_local_ts(p_text text, p_timezone text) RETURNS timestamp with time zone
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN (NOT COALESCE((p_text ~ ('^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])'::text || '[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$'::text)), false)) THEN NULL::timestamp with time zone WHEN ((substr(p_text, 1, 4))::integer < 1900) THEN NULL::timestamp with time zone WHEN ((substr(p_text, 9, 2))::integer > CASE WHEN (substr(p_text, 6, 2) = ANY (ARRAY['04'::text, '06'::text, '09'::text, '11'::text])) THEN 30 WHEN (substr(p_text, 6, 2) <> '02'::text) THEN 31 WHEN (((substr(p_text, 1, 4))::integer % 400) = 0) THEN 29 WHEN (((substr(p_text, 1, 4))::integer % 100) = 0) THEN 28 WHEN (((substr(p_text, 1, 4))::integer % 4) = 0) THEN 29 ELSE 28 END) THEN NULL::timestamp with time zone ELSE (make_timestamp((substr(p_text, 1, 4))::integer, (substr(p_text, 6, 2))::integer, (substr(p_text, 9, 2))::integer, (substr(p_text, 12, 2))::integer, (substr(p_text, 15, 2))::integer, (COALESCE(NULLIF(substr(p_text, 18, 2), ''::text), '0'::text))::double precision) AT TIME ZONE p_timezone) END;


--
-- Name: FUNCTION _momo_local_ts(p_text text, p_timezone text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_local_ts(p_text text, p_timezone text) IS 'An SMS time (YYYY-MM-DD HH:MM[:SS], local, no zone) as an instant in the given zone; null when it is not a real date-time.';


--
-- Name: _momo_parse_batch(text[], timestamp with time zone[], text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_parse_batch(p_texts text[], p_received_at timestamp with time zone[], p_timezone text, p_country_code text) RETURNS TABLE(ord integer, parse public.momo_parse_row)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
    with input as (
        select t.ord::integer as ord, t.raw_text, t.received_at
        from unnest(p_texts, p_received_at) with ordinality as t (raw_text, received_at, ord)
    ),

    -- Enabled formats in the order they are tried.
    formats as (
        select
            array_agg(f.id order by f.priority, f.id) as ids,
            array_agg(f.keyword order by f.priority, f.id) as keywords,
            array_agg(f.compiled_pattern order by f.priority, f.id) as patterns
        from momo_sms_formats as f
        where f.enabled
    ),

    -- Per format, the parts that identify a payment (balance and fee are the
    -- chain's; a part named in two alternatives counts once).
    format_parts as (
        select f.id, count(distinct n.part) as expected
        from momo_sms_formats as f
        cross join lateral unnest(f.field_names) as n (part)
        where f.enabled and n.part not in ('balance', 'fee')
        group by f.id
    ),

    -- The first format (by priority) whose keyword occurs and pattern matches:
    -- one pass of the matcher over the whole batch (_regex_first_match: Perl or PostgreSQL).
    matched as (
        select
            h.ord,
            f.name,
            f.provider,
            f.kind,
            f.direction,
            f.allocatable,
            f.field_names,
            fp.expected,
            h.groups
        from formats as fs
        cross join lateral _regex_first_match(p_texts, fs.keywords, fs.patterns) as h
        inner join momo_sms_formats as f on fs.ids[h.pattern_no] = f.id
        inner join format_parts as fp on f.id = fp.id
    ),

    -- Confidence counts the parts found that identify the payment (of the
    -- alternatives of a pattern only one matches, so each part counts once).
    found as (
        select
            m.ord,
            m.name,
            m.provider,
            m.kind,
            m.direction,
            m.allocatable,
            m.expected,
            x.fields,
            x.n_fields
        from matched as m
        cross join lateral (
            select
                jsonb_object_agg(u.field, btrim(u.value)) as fields,
                count(*) filter (where u.field not in ('balance', 'fee')) as n_fields
            from unnest(m.field_names, m.groups) as u (field, value)
            where u.value is not null
        ) as x
    ),

    -- Materialized so that the guesses below only run on these rows.
    unknown as materialized (
        select i.ord, i.raw_text
        from input as i
        where not exists (select from matched as m where m.ord = i.ord)
    ),

    -- No known format: pick what can be recognised, for the person who looks at it.
    -- (Materialized, like extracted: a CTE inlined into its readers would have its
    -- expressions evaluated once per reference.)
    guessed as materialized (
        select
            i.ord,
            jsonb_strip_nulls(jsonb_build_object(
                'amount', (
                    select x[2]
                    from regexp_matches(
                        i.raw_text,
                        '(balance[^0-9]{0,6})?([0-9][0-9,]*(?:\.[0-9]+)?) ?(?:RWF|FRW)', 'gi'
                    ) as x
                    where x[1] is null
                    limit 1
                ),
                'currency', case when i.raw_text ~* '(RWF|FRW)' then 'RWF' end,
                'txn_id', (
                    regexp_match(i.raw_text, '(?:TxnID|TxId|Transaction Id)[: ]*([A-Za-z0-9]+)', 'i')
                )[1],
                'ts', (regexp_match(i.raw_text, '\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?'))[1]
            )) as fields
        from unknown as i
    ),

    extracted as materialized (
        select
            i.ord,
            i.received_at,
            f.name as format,
            f.provider,
            f.kind,
            f.direction,
            f.allocatable,
            f.expected,
            f.n_fields,
            coalesce(f.fields, g.fields, '{}'::jsonb) as fields,
            _momo_amount(coalesce(f.fields, g.fields) ->> 'amount') as amount,
            _momo_local_ts(coalesce(f.fields, g.fields) ->> 'ts', p_timezone) as sms_ts
        from input as i
        left join found as f on i.ord = f.ord
        left join guessed as g on i.ord = g.ord
    )

    select e.ord, p::momo_parse_row as parse
    from extracted as e
    cross join lateral (
        select
            e.direction,
            coalesce(e.kind, 'unknown') as kind,
            e.format,
            e.provider,
            coalesce(e.allocatable, false) as allocatable,
            e.amount,
            upper(e.fields ->> 'currency') as currency,
            nullif(e.fields ->> 'txn_id', '') as txn_id,
            coalesce(e.sms_ts, e.received_at) as txn_ts,
            e.sms_ts is not null as txn_ts_from_sms,
            nullif(e.fields ->> 'name', '') as sender_name,
            _msisdn_e164(e.fields ->> 'msisdn', p_country_code) as msisdn_e164,
            case
                when e.fields ->> 'msisdn' like '%*%'
                    then substring(e.fields ->> 'msisdn' from '([0-9]{1,6})$')
            end as msisdn_suffix,
            nullif(e.fields ->> 'note', '') as sender_note,
            -- Unlike a payment, a balance or a fee may be zero.
            case when e.format is not null then coalesce(
                _momo_amount(e.fields ->> 'balance'),
                case when e.fields ->> 'balance' ~ '^0+(\.0{1,2})?$' then 0 end
            ) end as balance,
            case when e.format is not null then coalesce(
                _momo_amount(e.fields ->> 'fee'),
                case when e.fields ->> 'fee' ~ '^0+(\.0{1,2})?$' then 0 end
            ) end as fee,
            case
                -- A known format: the share of its parts found, less what did not read right.
                when e.format is not null then round(greatest(0,
                    least(e.n_fields, e.expected)::numeric / e.expected
                    - case when e.amount is null then 0.5 else 0 end
                    - case when e.fields ? 'ts' and e.sms_ts is null then 0.3 else 0 end
                ), 2)
                -- No known format: a tenth per recognisable part, never enough to allocate.
                else 0.1 * (
                    (e.amount is not null)::integer
                    + (e.fields ? 'txn_id')::integer
                    + (e.sms_ts is not null)::integer
                )
            end as confidence
    ) as p;
$_$;


--
-- Name: FUNCTION _momo_parse_batch(p_texts text[], p_received_at timestamp with time zone[], p_timezone text, p_country_code text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_parse_batch(p_texts text[], p_received_at timestamp with time zone[], p_timezone text, p_country_code text) IS 'Parses many SMS at once against momo_sms_formats (set-based, one pass): one row per input, ord = position in p_texts, parse = what it reads (momo_parse_row). Used by the allocator (_momo_alloc_parse) and momo_parse_sms().';


--
-- Name: _momo_provider_senders_audit(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_provider_senders_audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    perform public._require_audited_table(tg_relid, 'public._momo_provider_senders_audit()'::regprocedure);
    perform public._audit(
        'momo_provider_senders.' || lower(tg_op),
        'momo_provider_senders',
        coalesce(new.provider, old.provider) || '/' || coalesce(new.sender, old.sender),
        null,
        case when tg_op <> 'INSERT' then to_jsonb(old) end,
        case when tg_op <> 'DELETE' then to_jsonb(new) end
    );
    return null;
end;
$$;


--
-- Name: FUNCTION _momo_provider_senders_audit(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_provider_senders_audit() IS 'Trigger function: every insert, update or delete of an operator sender is written to audit_log (who, when, the row before and after): the list decides which SMS can ever be credited.';


--
-- Name: _momo_resolve_members(text[], text[], text[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_resolve_members(p_msisdns_e164 text[], p_sender_notes text[], p_accounts text[], p_sender_names text[], p_msisdn_suffixes text[]) RETURNS TABLE(ord integer, member_id uuid, ikimina_id uuid, group_currency text, matched_by text, reason text, detail text, candidates jsonb)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    -- The account that received the SMS decides the group when it is a collection
    -- account: then only that group's members can be named (group_id not null).
    with input as (
        select
            t.ord::integer as ord, t.msisdn, t.note, t.name, t.suffix,
            a.ikimina_id as group_id
        from unnest(p_msisdns_e164, p_sender_notes, p_accounts, p_sender_names, p_msisdn_suffixes)
            with ordinality as t (msisdn, note, account, name, suffix, ord)
        left join collection_accounts as a on t.account = a.account
    ),

    -- 1. The full number.
    by_phone as (
        select i.ord, m.id
        from input as i
        inner join profiles as p on i.msisdn = p.whatsapp_e164
        inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
        where i.group_id is null or m.ikimina_id = i.group_id
    ),

    -- An active member of another group than the account's, by full number.
    elsewhere as (
        select distinct i.ord
        from input as i
        inner join profiles as p on i.msisdn = p.whatsapp_e164
        inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
        where m.ikimina_id <> i.group_id
    ),

    -- 2. A member code in the note: words of two or more letters, digits or dashes.
    tokens as (
        select distinct i.ord, i.group_id, t.token
        from input as i
        cross join lateral regexp_split_to_table(upper(i.note), '[^A-Z0-9-]+') as t (token)
        where i.note is not null and length(t.token) >= 2
    ),

    by_code as (
        select distinct k.ord, m.id
        from tokens as k
        inner join ibimina_members as m on k.token = upper(m.member_code) and m.status = 'active'
        where k.group_id is null or m.ikimina_id = k.group_id
    ),

    -- 3. A payer the group's treasurer recognised before (only on a collection account).
    by_remembered as (
        select i.ord, m.id
        from input as i
        inner join remembered_payers as r
            on
                r.ikimina_id = i.group_id
                and (
                    r.msisdn_e164 = i.msisdn
                    -- by digits and the same words, unless both state full numbers (then
                    -- they differ)
                    or (
                        (i.msisdn is null or r.msisdn_e164 is null)
                        and r.msisdn_suffix = coalesce(i.suffix, right(i.msisdn, 3))
                        and string_to_array(r.payer_name, ' ') <@ _payer_name_words(i.name)
                        and _payer_name_words(i.name) <@ string_to_array(r.payer_name, ' ')
                    )
                )
        inner join ibimina_members as m on r.member_id = m.id and m.status = 'active'
    ),

    -- 4. A masked payer: the group's active members whose number ends with the
    -- visible digits, and whether their names agree with the SMS name. The active
    -- members of the batch's groups are read once, then joined on group and digits.
    masked as materialized (
        select i.ord, i.group_id, i.suffix, _payer_name_words(i.name) as words
        from input as i
        where i.group_id is not null and i.msisdn is null and i.suffix is not null
    ),

    roster as materialized (
        select
            m.ikimina_id, m.id, m.member_code, p.display_name, p.whatsapp_e164,
            _payer_name_words(p.display_name) as words
        from ibimina_members as m
        inner join profiles as p on m.user_id = p.user_id
        where m.status = 'active' and m.ikimina_id in (select x.group_id from masked as x)
    ),

    by_digits as materialized (
        select
            k.ord,
            r.id,
            r.display_name,
            r.member_code,
            _payer_words_agree(r.words, k.words) as names_agree
        from masked as k
        inner join roster as r
            on
                k.group_id = r.ikimina_id
                and right(k.suffix, 3) = right(r.whatsapp_e164, 3)
                and right(r.whatsapp_e164, length(k.suffix)) = k.suffix
    ),

    phone as (
        select b.ord, count(*) as n, (array_agg(b.id))[1] as id
        from by_phone as b group by b.ord
    ),

    code as (
        select b.ord, count(*) as n, (array_agg(b.id))[1] as id
        from by_code as b group by b.ord
    ),

    agreed as (
        select a.ord, count(*) as n, (array_agg(a.id))[1] as id
        from (select ord, id from by_phone intersect select ord, id from by_code) as a
        group by a.ord
    ),

    remembered as (
        select b.ord, count(*) as n, (array_agg(b.id))[1] as id
        from by_remembered as b group by b.ord
    ),

    -- With the candidates a person will choose from, built only where the digits and
    -- name did not name exactly one member.
    named as (
        select
            b.ord,
            max(b.n_agree) as n,
            (array_agg(b.id) filter (where b.names_agree))[1] as id,
            count(*) as n_digits,
            jsonb_agg(
                jsonb_build_object(
                    'member_id', b.id, 'display_name', b.display_name,
                    'member_code', b.member_code, 'names_agree', b.names_agree
                ) order by b.names_agree desc, b.display_name asc, b.id asc
            ) filter (where b.n_agree <> 1) as candidates
        from (
            select
                d.*,
                count(*) filter (where d.names_agree) over (partition by d.ord) as n_agree
            from by_digits as d
        ) as b
        group by b.ord
    ),

    -- Phone and code agreeing, or either alone, must name exactly one active member.
    strong as (
        select
            i.ord,
            coalesce(p.n, 0) as n_phone,
            coalesce(c.n, 0) as n_code,
            case
                when a.n = 1 then a.id
                when c.n is null and p.n = 1 then p.id
                when p.n is null and c.n = 1 then c.id
            end as member_id,
            case
                when a.n = 1 then 'phone+member_code'
                when c.n is null and p.n = 1 then 'phone'
                when p.n is null and c.n = 1 then 'member_code'
            end as matched_by
        from input as i
        left join phone as p on i.ord = p.ord
        left join code as c on i.ord = c.ord
        left join agreed as a on i.ord = a.ord
    ),

    -- The steps in order, each naming exactly one member or passing on; a remembered
    -- payer never overrides a number or code that names someone else.
    chosen as (
        select
            i.ord,
            i.msisdn,
            i.name,
            i.suffix,
            i.group_id,
            s.n_phone,
            s.n_code,
            r.id as remembered_id,
            s.member_id as strong_id,
            coalesce(n.n, 0) as n_named,
            coalesce(n.n_digits, 0) as n_digits,
            n.candidates,
            case
                when s.member_id is not null and r.id is not null and r.id <> s.member_id then null
                when s.member_id is not null then s.member_id
                when s.n_phone > 0 or s.n_code > 0 then null
                when r.n = 1 then r.id
                when n.n = 1 then n.id
            end as member_id,
            case
                when s.member_id is not null and r.id is not null and r.id <> s.member_id then null
                when s.member_id is not null then s.matched_by
                when s.n_phone > 0 or s.n_code > 0 then null
                when r.n = 1 then 'remembered_payer'
                when n.n = 1 then 'name_and_digits'
            end as matched_by
        from input as i
        inner join strong as s on i.ord = s.ord
        left join remembered as r on i.ord = r.ord
        left join named as n on i.ord = n.ord
    )

    select
        ch.ord,
        ch.member_id,
        m.ikimina_id,
        g.currency,
        ch.matched_by,
        case
            when ch.member_id is not null then null
            when ch.strong_id is not null then 'membership_ambiguous'
            when ch.n_code > 1 and ch.n_phone = 0 then 'member_code_ambiguous'
            when ch.n_phone > 0 or ch.n_code > 0 then 'membership_ambiguous'
            when ch.n_named > 1 then 'payer_ambiguous'
            when e.ord is not null then 'member_of_other_group'
            when ch.group_id is not null and ch.msisdn is null then 'payer_not_recognised'
            when pr.user_id is not null then 'membership_not_found'
            else 'profile_not_found'
        end as reason,
        case
            when ch.member_id is not null then null
            when ch.strong_id is not null then format(
                'the payer is remembered as paying for member %s, but the %s names member %s',
                ch.remembered_id, case when ch.n_phone > 0 then 'number' else 'member code' end,
                ch.strong_id
            )
            when ch.n_code > 1 and ch.n_phone = 0
                then format('member code in the note matches %s active members', ch.n_code)
            when ch.n_phone > 0 or ch.n_code > 0 then format(
                '%s active membership(s) by phone, %s by member code, none agreeing',
                ch.n_phone, ch.n_code
            )
            when ch.n_named > 1 then format(
                '%s members of the group have a number ending in %s and a name agreeing with %L',
                ch.n_named, ch.suffix, ch.name
            )
            when e.ord is not null then format(
                '%s is an active member of another group, not of the group whose account received the SMS',
                ch.msisdn
            )
            when ch.group_id is not null and ch.msisdn is null then format(
                'no active member of the group has a number ending in %s and a name agreeing with %L '
                '(%s with those digits)',
                coalesce(ch.suffix, '(no digits shown)'), ch.name, ch.n_digits
            )
            when pr.user_id is not null
                then format('profile %s has no active membership', ch.msisdn)
            when ch.msisdn is null
                then 'payer number is masked or missing and no member code was given'
            else format('no profile has number %s', ch.msisdn)
        end as detail,
        case when ch.member_id is null then ch.candidates end as candidates
    from chosen as ch
    left join elsewhere as e on ch.ord = e.ord
    left join profiles as pr on ch.msisdn = pr.whatsapp_e164
    left join ibimina_members as m on ch.member_id = m.id
    left join ibimina as g on m.ikimina_id = g.id;
$$;


--
-- Name: FUNCTION _momo_resolve_members(p_msisdns_e164 text[], p_sender_notes text[], p_accounts text[], p_sender_names text[], p_msisdn_suffixes text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_resolve_members(p_msisdns_e164 text[], p_sender_notes text[], p_accounts text[], p_sender_names text[], p_msisdn_suffixes text[]) IS 'Resolves payers to exactly one active member each, set-based (ord = position in the arrays). When the receiving account is a collection account only its group''s members count, tried in order, each step naming one member or passing on: full number, member code in the note, a remembered payer (never against a number or code naming someone else), name and visible digits (_payer_words_agree). An account of no group: full number or member code, as before. Otherwise the unmatched reason, a sentence explaining it and, for a masked payer, the candidates.';


--
-- Name: _momo_sms_hash(text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_sms_hash(p_message text, p_msisdn text, p_received_at text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN encode(sha256(convert_to(((((p_message || '|'::text) || COALESCE(p_msisdn, ''::text)) || '|'::text) || COALESCE(p_received_at, ''::text)), 'UTF8'::name)), 'hex'::text);


--
-- Name: FUNCTION _momo_sms_hash(p_message text, p_msisdn text, p_received_at text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_sms_hash(p_message text, p_msisdn text, p_received_at text) IS 'The dedupe key of an SMS delivery (momo_sms_inbox.hash), as the ingest spec defines it: the hex sha256 of message|msisdn|receivedAt, the texts as sent, a missing msisdn or receivedAt empty.';


--
-- Name: _momo_sms_ingest_rows(public.momo_sms_delivery[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_sms_ingest_rows(p_deliveries public.momo_sms_delivery[]) RETURNS TABLE(ord integer, hash text, raw_text text, msisdn_raw text, received_at timestamp with time zone, ingest_source text, metadata jsonb, receiving_account text, gateway text, gateway_message_id text)
    LANGUAGE sql STABLE
    AS $$
    select
        d.ordinality::integer,
        _momo_sms_hash(d.message, d.msisdn, d.received_at),
        d.message,
        d.msisdn,
        coalesce(d.received_at::timestamptz, now()),
        coalesce(d.ingest_source, 'gateway'),
        d.metadata,
        -- A phone number, in whatever form the gateway app was given it (0788...,
        -- 250788..., +250 788 ...), in E.164: one phone is one account through any
        -- app. A label (sms-gate:<device>/sim1, smssync:<device>) is kept as it is.
        coalesce(
            _msisdn_e164(d.receiving_account, (select _setting('MOMO_DEFAULT_COUNTRY_CODE'))),
            d.receiving_account
        ),
        d.gateway,
        d.gateway_message_id
    from unnest(p_deliveries) with ordinality as d;
$$;


--
-- Name: FUNCTION _momo_sms_ingest_rows(p_deliveries public.momo_sms_delivery[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_sms_ingest_rows(p_deliveries public.momo_sms_delivery[]) IS 'The deliveries of an ingest batch as the momo_sms_inbox rows they would become, in the inbox''s column names: ord (the delivery''s place in the array), the hash (_momo_sms_hash), receivedAt as timestamptz (now() when absent), the ingest source (gateway when absent) and the receiving account in E.164 when it is a phone number (MOMO_DEFAULT_COUNTRY_CODE for national forms; a label is kept). Checked before by _momo_sms_ingest_validate.';


--
-- Name: _momo_sms_ingest_validate(public.momo_sms_delivery[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_sms_ingest_validate(p_deliveries public.momo_sms_delivery[]) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
declare
    v_count integer := coalesce(cardinality(p_deliveries), 0);
    v_which text := '';
    v_d momo_sms_delivery;
begin
    for i in 1 .. v_count loop
        v_d := p_deliveries[i];
        if v_count > 1 then
            v_which := format(' (delivery %s of %s)', i, v_count);
        end if;
        if v_d.message is null or v_d.message ~ '^[[:space:]]*$' then
            raise exception 'message is required and must not be empty%', v_which
                using errcode = 'MM400', column = 'message';
        end if;
        if length(v_d.message) > 2000 then
            raise exception 'message is % characters; at most 2000 are accepted%',
                length(v_d.message), v_which
                using errcode = 'MM400', column = 'message';
        end if;
        if length(v_d.msisdn) > 64 then
            raise exception 'msisdn is longer than 64 characters%', v_which
                using errcode = 'MM400', column = 'msisdn';
        end if;
        if v_d.received_at !~
            '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
            raise exception 'receivedAt must be an ISO-8601 date-time with a zone, e.g. 2025-01-18T14:20:00Z%',
                v_which
                using errcode = 'MM400', column = 'receivedAt';
        end if;
        if coalesce(v_d.ingest_source, 'gateway') ~ '^[[:space:]]*$'
            or length(v_d.ingest_source) > 64 then
            raise exception 'ingestSource must be 1 to 64 characters%', v_which
                using errcode = 'MM400', column = 'ingestSource';
        end if;
        if v_d.receiving_account = '' or length(v_d.receiving_account) > 128 then
            raise exception 'receivingAccount must be 1 to 128 characters%', v_which
                using errcode = 'MM400', column = 'receivingAccount';
        end if;
        if v_d.gateway !~ '^[a-z][a-z0-9-]{0,31}$'
            or (v_d.gateway_message_id is not null and v_d.gateway is null) then
            raise exception 'gateway must be a route name (lowercase, 1 to 32 characters) and is '
                'required with a gateway message id%', v_which
                using errcode = 'MM400', column = 'gateway';
        end if;
        if v_d.gateway_message_id = '' or length(v_d.gateway_message_id) > 200 then
            raise exception 'the gateway message id must be 1 to 200 characters%', v_which
                using errcode = 'MM400', column = 'gatewayMessageId';
        end if;
    end loop;
end;
$_$;


--
-- Name: FUNCTION _momo_sms_ingest_validate(p_deliveries public.momo_sms_delivery[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_sms_ingest_validate(p_deliveries public.momo_sms_delivery[]) IS 'Checks every delivery of an ingest batch before anything is stored: message present and at most 2000 characters, msisdn at most 64, receivedAt ISO-8601 with a zone, ingestSource, receiving account, gateway and gateway message id within their limits. Raises MM400 naming the field (and the delivery, in a batch of several); returns nothing when all are valid.';


--
-- Name: _momo_suggest_member(text, text, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_suggest_member(p_msisdn_suffix text, p_sender_name text, p_ikimina_id uuid) RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select m.id
    from profiles as p
    inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
    where
        length(p_msisdn_suffix) >= 3
        -- on a collection account, only a member of its group
        and (p_ikimina_id is null or m.ikimina_id = p_ikimina_id)
        and right(p.whatsapp_e164, 3) = right(p_msisdn_suffix, 3)
        and p.whatsapp_e164 like '%' || p_msisdn_suffix
        and similarity(p.display_name, coalesce(p_sender_name, '')) >= 0.3
    order by similarity(p.display_name, coalesce(p_sender_name, '')) desc, m.joined_at asc
    limit 1;
$$;


--
-- Name: FUNCTION _momo_suggest_member(p_msisdn_suffix text, p_sender_name text, p_ikimina_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_suggest_member(p_msisdn_suffix text, p_sender_name text, p_ikimina_id uuid) IS 'A hint for a person resolving a case: the active member whose number ends with the masked suffix and whose name is most similar (pg_trgm) to the SMS sender name, of group p_ikimina_id when the SMS came to its collection account (null: any group). Never used to allocate.';


--
-- Name: _momo_summary(integer, jsonb, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_summary(p_processed integer DEFAULT 0, p_errors jsonb DEFAULT '[]'::jsonb, p_fault jsonb DEFAULT NULL::jsonb) RETURNS public.momo_allocation_summary
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select row(p_processed, 0, 0, 0, 0, 0, p_errors, p_fault)::public.momo_allocation_summary;
$$;


--
-- Name: FUNCTION _momo_summary(p_processed integer, p_errors jsonb, p_fault jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_summary(p_processed integer, p_errors jsonb, p_fault jsonb) IS 'A summary in which nothing was allocated, unmatched, duplicate, skipped or held: an empty batch (no arguments), SMS that failed alone (p_processed, p_errors) or a fault of the whole system (p_fault).';


--
-- Name: _momo_summary_add(public.momo_allocation_summary, public.momo_allocation_summary); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_summary_add(p_left public.momo_allocation_summary, p_right public.momo_allocation_summary) RETURNS public.momo_allocation_summary
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select row(
        p_left.processed + p_right.processed,
        p_left.allocated + p_right.allocated,
        p_left.unmatched + p_right.unmatched,
        p_left.duplicates + p_right.duplicates,
        p_left.skipped + p_right.skipped,
        p_left.held + p_right.held,
        p_left.errors || p_right.errors,
        -- a left half with a fault is not added to: it is returned alone
        p_right.fault
    )::public.momo_allocation_summary;
$$;


--
-- Name: FUNCTION _momo_summary_add(p_left public.momo_allocation_summary, p_right public.momo_allocation_summary); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_summary_add(p_left public.momo_allocation_summary, p_right public.momo_allocation_summary) IS 'The summary of two halves of a batch run one after the other: counts and errors added, the fault (if any) of the second half.';


--
-- Name: _momo_summary_jsonb(public.momo_allocation_summary); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_summary_jsonb(p_summary public.momo_allocation_summary) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select case
        when p_summary.fault is null then to_jsonb(p_summary) - 'fault'
        else to_jsonb(p_summary)
    end;
$$;


--
-- Name: FUNCTION _momo_summary_jsonb(p_summary public.momo_allocation_summary); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_summary_jsonb(p_summary public.momo_allocation_summary) IS 'The summary as momo_allocate() returns it: {"processed","allocated","unmatched","duplicates","skipped","held","errors"}, and "fault" {"sqlstate","message"} only when the whole batch failed.';


--
-- Name: _momo_summary_of_work(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._momo_summary_of_work() RETURNS public.momo_allocation_summary
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    -- The only place where inbox outcomes become summary keys.
    select row(
        count(*),
        count(*) filter (where w.outcome = 'allocated'),
        count(*) filter (where w.outcome = 'unmatched'),
        count(*) filter (where w.outcome = 'duplicate'),  -- the key is "duplicates"
        count(*) filter (where w.outcome = 'skipped'),
        count(*) filter (where w.outcome = 'held'),
        '[]'::jsonb,
        null::jsonb
    )::public.momo_allocation_summary
    from pg_temp.momo_alloc_work as w
    -- credits held by earlier runs, posted with this batch, were counted by their own
    where not w.released_hold;
$$;


--
-- Name: FUNCTION _momo_summary_of_work(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._momo_summary_of_work() IS 'Allocation stage, last: the summary of the batch in momo_alloc_work, one count per inbox outcome (outcome duplicate counts as duplicates); released holds of earlier runs do not count.';


--
-- Name: _money_exact(text, numeric); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._money_exact(p_name text, p_value numeric) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    if p_value is null then
        return null;
    end if;
    -- numeric has NaN and +/-Infinity: neither is an amount (NaN = NaN holds in PostgreSQL).
    if p_value = 'NaN' then
        raise exception '% must be a number, got NaN', p_name using errcode = 'MM400', column = p_name;
    end if;
    if p_value in ('Infinity', '-Infinity') then
        raise exception '% must be a finite amount, got %', p_name, p_value
            using errcode = 'MM400', column = p_name;
    end if;
    if p_value <> round(p_value, 2) then
        raise exception '% must have at most 2 decimals, got %', p_name, p_value
            using errcode = 'MM400', column = p_name,
            hint = 'Amounts are counted in hundredths at most; nothing is rounded silently.';
    end if;
    if abs(p_value) >= 1e16 then
        raise exception '% is out of range: % (at most 9999999999999999.99)', p_name, p_value
            using errcode = 'MM400', column = p_name;
    end if;
    return round(p_value, 2);  -- exactly two decimals: 60 -> 60.00
end;
$$;


--
-- Name: FUNCTION _money_exact(p_name text, p_value numeric); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._money_exact(p_name text, p_value numeric) IS 'The exactness part of the money check: raises MM400 naming p_name when p_value is NaN, infinite, has more than 2 decimals or is beyond numeric(18, 2) (|x| >= 1e16); returns it with exactly two decimals (null stays null). _require_money adds presence and sign.';


--
-- Name: _monitoring_cron_jobs(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._monitoring_cron_jobs() RETURNS TABLE(jobid bigint, jobname text, schedule text, command text, active boolean, last_run_status text, last_run_started_at timestamp with time zone, last_run_ended_at timestamp with time zone, last_run_message text, last_success_at timestamp with time zone, last_failure_at timestamp with time zone, runs_last_24h bigint, failures_last_24h bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- Databases without pg_cron (scratch copies) simply have no jobs.
    if to_regclass('cron.job') is null then
        return;
    end if;
    return query
    with runs as (
        select
            d.jobid,
            max(d.runid) as last_runid,
            max(d.end_time) filter (where d.status = 'succeeded') as last_success_at,
            max(d.end_time) filter (where d.status = 'failed') as last_failure_at,
            count(*) filter (where d.start_time > now() - interval '24 hours') as runs_last_24h,
            count(*) filter (
                where d.status = 'failed' and d.start_time > now() - interval '24 hours'
            ) as failures_last_24h
        from cron.job_run_details as d
        group by d.jobid
    )
    select
        j.jobid, j.jobname::text, j.schedule, j.command, j.active,
        l.status, l.start_time, l.end_time, left(l.return_message, 500),
        r.last_success_at, r.last_failure_at,
        coalesce(r.runs_last_24h, 0), coalesce(r.failures_last_24h, 0)
    from cron.job as j
    left join runs as r on r.jobid = j.jobid
    left join cron.job_run_details as l on l.runid = r.last_runid
    where j.database = current_database();
end;
$$;


--
-- Name: FUNCTION _monitoring_cron_jobs(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._monitoring_cron_jobs() IS 'pg_cron jobs of this database with their last run (cron.job_run_details), for the monitoring views. Security definer: pg_cron''s tables are visible only to their owner (row security on username). Returns no rows where pg_cron is not installed.';


--
-- Name: _monitoring_history_trim(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._monitoring_history_trim() RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_samples bigint;
    v_runs bigint := 0::bigint;
begin
    delete from monitoring.queue_samples
    where sampled_at < now() - public._setting('MONITORING_QUEUE_SAMPLE_RETENTION')::interval;
    get diagnostics v_samples = row_count;
    if to_regclass('cron.job_run_details') is not null then
        -- Only finished runs: a run still going keeps its row.
        delete from cron.job_run_details
        where end_time < now() - public._setting('MONITORING_CRON_HISTORY_RETENTION')::interval;
        get diagnostics v_runs = row_count;
    end if;
    return jsonb_build_object('queue_samples_deleted', v_samples, 'cron_runs_deleted', v_runs);
end;
$$;


--
-- Name: FUNCTION _monitoring_history_trim(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._monitoring_history_trim() IS 'Deletes queue samples older than MONITORING_QUEUE_SAMPLE_RETENTION and pg_cron run history (cron.job_run_details, which pg_cron never trims) older than MONITORING_CRON_HISTORY_RETENTION. Run daily by the pg_cron job monitoring-history-trim; returns the numbers deleted.';


--
-- Name: _msisdn_e164(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._msisdn_e164(p_raw text, p_country_code text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN (translate(p_raw, ' ().-'::text, ''::text) ~ '^\+[1-9][0-9]{7,14}$'::text) THEN translate(p_raw, ' ().-'::text, ''::text) WHEN (translate(p_raw, ' ().-'::text, ''::text) ~ (('^'::text || p_country_code) || '[0-9]{6,12}$'::text)) THEN ('+'::text || translate(p_raw, ' ().-'::text, ''::text)) WHEN (translate(p_raw, ' ().-'::text, ''::text) ~ '^0[1-9][0-9]{5,11}$'::text) THEN (('+'::text || p_country_code) || substr(translate(p_raw, ' ().-'::text, ''::text), 2)) WHEN (translate(p_raw, ' ().-'::text, ''::text) ~ '^[1-9][0-9]{8}$'::text) THEN (('+'::text || p_country_code) || translate(p_raw, ' ().-'::text, ''::text)) ELSE NULL::text END;


--
-- Name: FUNCTION _msisdn_e164(p_raw text, p_country_code text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._msisdn_e164(p_raw text, p_country_code text) IS 'A phone number in E.164 (+2507...), from 07..., 2507..., +2507... or 7... forms with the given country code; null for masked (*****482) or unrecognisable numbers: never invented.';


--
-- Name: _payer_name_key(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._payer_name_key(p_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    -- Its distinct words sorted, two at least (as _payer_words_agree asks of a name).
    select case when count(distinct w.word) >= 2 then string_agg(distinct w.word, ' ' order by w.word) end
    from unnest(_payer_name_words(p_name)) as w (word)
    where w.word <> '';
$$;


--
-- Name: FUNCTION _payer_name_key(p_name text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._payer_name_key(p_name text) IS 'The normalised name a payer is remembered by (remembered_payers.payer_name): its distinct words (_payer_name_words) sorted and joined by spaces; null unless it has two different words or more.';


--
-- Name: _payer_name_words(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._payer_name_words(p_name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    -- Fold case and accents (translate from the accented letters, written as escapes:
    -- no extension needed); anything but letters and digits separates words.
    select string_to_array(
        btrim(regexp_replace(
            translate(
                lower(p_name),
                U&'\00E0\00E1\00E2\00E3\00E4\00E5\0101\00E7\0107\010D\00E8\00E9\00EA\00EB\0113\0117\0119\00EC\00ED\00EE\00EF'
                || U&'\012B\012F\0142\00F1\0144\00F2\00F3\00F4\00F5\00F6\00F8\014D\00F9\00FA\00FB\00FC\016B\00FD\00FF\017E\017A\017C',
                'aaaaaaaccceeeeeeeiiiiiilnnooooooouuuuuyyzzz'
            ),
            '[^a-z0-9]+', ' ', 'g'
        )),
        ' '
    );
$$;


--
-- Name: FUNCTION _payer_name_words(p_name text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._payer_name_words(p_name text) IS 'A person''s name as its words: case, accents and punctuation folded, in the order written (null for null, empty when it has none). How SMS names and member names are compared (_payer_words_agree) and remembered (_payer_name_key). One expression, inlined by the planner.';


--
-- Name: _payer_words_agree(text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._payer_words_agree(p_words text[], p_other text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    -- Every word of the shorter name is a word of the longer, and (so) they share at
    -- least two: {mukamana, aline} agrees with {aline, grace, mukamana}, {aline} does not.
    -- (A word written twice counts twice: "UWERA UWERA" would agree with "UWERA Marie".)
    select coalesce(
        least(cardinality(p_words), cardinality(p_other)) >= 2
        and (p_words <@ p_other or p_other <@ p_words),
        false
    );
$$;


--
-- Name: FUNCTION _payer_words_agree(p_words text[], p_other text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._payer_words_agree(p_words text[], p_other text[]) IS 'Whether two names, as words (_payer_name_words), are the same person''s as SIMs and member lists write them: every word of the shorter is a word of the longer and they share at least two. Order and a missing middle name do not matter. One expression, inlined by the planner.';


--
-- Name: queue_samples; Type: TABLE; Schema: monitoring; Owner: -
--

CREATE TABLE monitoring.queue_samples (
    sampled_at timestamp with time zone DEFAULT now() NOT NULL,
    inbox_unprocessed integer NOT NULL,
    inbox_retrying integer NOT NULL,
    inbox_oldest_unprocessed_at timestamp with time zone,
    unmatched_open integer NOT NULL,
    unmatched_oldest_open_at timestamp with time zone,
    CONSTRAINT queue_samples_inbox_retrying_check CHECK ((inbox_retrying >= 0)),
    CONSTRAINT queue_samples_inbox_unprocessed_check CHECK ((inbox_unprocessed >= 0)),
    CONSTRAINT queue_samples_unmatched_open_check CHECK ((unmatched_open >= 0))
);


--
-- Name: TABLE queue_samples; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON TABLE monitoring.queue_samples IS 'Queue sizes sampled every minute by the pg_cron job monitoring-queue-sample, so alerts can say "for more than N minutes". Columns: sampled_at; inbox_unprocessed (inbox rows with processed_at null); inbox_retrying (of those, failed attempts waiting for their retry time); inbox_oldest_unprocessed_at (ingested_at of the oldest waiting row); unmatched_open (open momo_unmatched cases); unmatched_oldest_open_at. Kept for MONITORING_QUEUE_SAMPLE_RETENTION.';


--
-- Name: _queue_sample(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._queue_sample() RETURNS monitoring.queue_samples
    LANGUAGE sql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    insert into monitoring.queue_samples (
        sampled_at, inbox_unprocessed, inbox_retrying, inbox_oldest_unprocessed_at,
        unmatched_open, unmatched_oldest_open_at
    )
    select
        now(), i.unprocessed, i.retrying, i.oldest_at, u.open_cases, u.oldest_at
    from (
        select
            count(*)::integer as unprocessed,
            (count(*) filter (where last_error is not null))::integer as retrying,
            min(ingested_at) as oldest_at
        from public.momo_sms_inbox
        where processed_at is null
    ) as i
    cross join (
        select count(*)::integer as open_cases, min(created_at) as oldest_at
        from public.momo_unmatched
        where status = 'open'
    ) as u
    on conflict (sampled_at) do nothing
    returning *;
$$;


--
-- Name: FUNCTION _queue_sample(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._queue_sample() IS 'Records the current queue sizes in monitoring.queue_samples; run every minute by the pg_cron job monitoring-queue-sample.';


--
-- Name: _regex_captures(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_captures(p_text text, p_pattern text) RETURNS text[]
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    AS $$
begin
    if to_regprocedure('public._regex_first_match_perl(text[], text[], text[])') is not null then
        return (
            select m.groups
            from public._regex_first_match_perl(array[p_text], array[''], array[p_pattern]) as m
        );
    end if;
    return (
        select m.groups
        from public._regex_first_match_postgres(array[p_text], array[''], array[p_pattern]) as m
    );
end;
$$;


--
-- Name: FUNCTION _regex_captures(p_text text, p_pattern text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_captures(p_text text, p_pattern text) IS 'The capturing groups of p_pattern in p_text by the Perl matcher where PL/Perl is installed (else the PostgreSQL one), null if no match: what momo_sms_formats_engines_agree compares with regexp_match.';


--
-- Name: _regex_engine(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_engine() RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
declare
    v_wanted text := coalesce(nullif(current_setting('momo.regex_engine', true), ''), 'auto');
    v_perl boolean := to_regprocedure('public._regex_first_match_perl(text[], text[], text[])') is not null;
begin
    if v_wanted not in ('auto', 'perl', 'postgres') then
        raise exception 'momo.regex_engine is %, not auto, perl or postgres', v_wanted
        using errcode = 'MM400', hint = 'reset momo.regex_engine, or set it to one of those';
    end if;
    if v_wanted = 'perl' and not v_perl then
        raise exception 'momo.regex_engine is perl, but PL/Perl is not installed in this database'
        using errcode = 'MM409',
        hint = 'create extension plperl and re-run scripts/migrate.sh, or set momo.regex_engine to auto';
    end if;
    return case when v_perl and v_wanted <> 'postgres' then 'perl' else 'postgres' end;
end;
$$;


--
-- Name: FUNCTION _regex_engine(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_engine() IS 'The SMS matcher in use: perl where PL/Perl is installed, else postgres; the setting momo.regex_engine (auto, perl, postgres) forces one.';


--
-- Name: _regex_first_match(text[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_first_match(p_texts text[], p_keywords text[], p_patterns text[]) RETURNS TABLE(ord integer, pattern_no integer, groups text[])
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    AS $$
begin
    if _regex_engine() = 'perl' then
        return query
        select m.ord, m.pattern_no, m.groups
        from public._regex_first_match_perl(p_texts, p_keywords, p_patterns) as m;
    else
        return query
        select m.ord, m.pattern_no, m.groups
        from public._regex_first_match_postgres(p_texts, p_keywords, p_patterns) as m;
    end if;
end;
$$;


--
-- Name: FUNCTION _regex_first_match(p_texts text[], p_keywords text[], p_patterns text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_first_match(p_texts text[], p_keywords text[], p_patterns text[]) IS 'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in the text and which matches it (pattern_no = its position), with its capturing groups (null for a group that took no part). Texts that match none are left out. By the matcher _regex_engine() picks (Perl where PL/Perl is installed, else PostgreSQL).';


--
-- Name: _regex_first_match_perl(text[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_first_match_perl(p_texts text[], p_keywords text[], p_patterns text[]) RETURNS TABLE(ord integer, pattern_no integer, groups text[])
    LANGUAGE plperl IMMUTABLE STRICT PARALLEL SAFE
    AS $_X$
    my ($texts, $keywords, $patterns) = @_;
    # Compiled patterns are kept for the session; /s: "." also matches a
    # newline, as in PostgreSQL's default (non newline-sensitive) mode.
    my $cache = $_SHARED{regex_first_match} //= {};
    %$cache = () if keys %$cache > 1000;
    my @compiled = map {
        my $pattern = $_;
        $cache->{$pattern} //= eval { qr/$pattern/s }
            // die "pattern is not a valid Perl regular expression: $pattern\n";
    } @$patterns;
    my $ord = 0;
    for my $text (@$texts) {
        $ord++;
        next unless defined $text;
        for my $i (0 .. $#compiled) {
            next if index($text, $keywords->[$i] // '') < 0;
            if ($text =~ $compiled[$i]) {
                # Every group of the pattern ($#+ of them), undef for one that took no
                # part (@{^CAPTURE} would drop trailing ones).
                my @groups = map {
                    defined $-[$_] ? substr($text, $-[$_], $+[$_] - $-[$_]) : undef
                } 1 .. $#+;
                return_next({ ord => $ord, pattern_no => $i + 1, groups => \@groups });
                last;
            }
        }
    }
    return undef;
$_X$;


--
-- Name: FUNCTION _regex_first_match_perl(p_texts text[], p_keywords text[], p_patterns text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_first_match_perl(p_texts text[], p_keywords text[], p_patterns text[]) IS 'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in the text and which matches it (pattern_no = its position), with its capturing groups (null for a group that took no part). Texts that match none are left out. Perl regular expressions; called through _regex_first_match.';


--
-- Name: _regex_first_match_postgres(text[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_first_match_postgres(p_texts text[], p_keywords text[], p_patterns text[]) RETURNS TABLE(ord integer, pattern_no integer, groups text[])
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
declare
    v_text text;
    v_ord integer := 0;
    v_groups text[];
begin
    foreach v_text in array p_texts loop
        v_ord := v_ord + 1;
        continue when v_text is null;
        -- The first pattern, in order, whose keyword occurs and which matches.
        for v_i in 1 .. coalesce(cardinality(p_patterns), 0) loop
            continue when strpos(v_text, coalesce(p_keywords[v_i], '')) = 0;
            v_groups := regexp_match(v_text, p_patterns[v_i]);
            if v_groups is not null then
                ord := v_ord;
                pattern_no := v_i;
                groups := v_groups;
                return next;
                exit;
            end if;
        end loop;
    end loop;
end;
$$;


--
-- Name: FUNCTION _regex_first_match_postgres(p_texts text[], p_keywords text[], p_patterns text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_first_match_postgres(p_texts text[], p_keywords text[], p_patterns text[]) IS 'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in the text and which matches it (pattern_no = its position), with its capturing groups (null for a group that took no part). Texts that match none are left out. PostgreSQL regular expressions; called through _regex_first_match.';


--
-- Name: _regex_group_names(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_group_names(p_pattern text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT m.m[1] AS m FROM regexp_matches(_regex_group_names.p_pattern, '\(\?<([a-z_]+)>'::text, 'g'::text) m(m));


--
-- Name: FUNCTION _regex_group_names(p_pattern text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_group_names(p_pattern text) IS 'The (?<name>...) group names of a pattern, in order.';


--
-- Name: _regex_strip_group_names(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._regex_strip_group_names(p_pattern text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(p_pattern, '\(\?<[a-z_]+>'::text, '('::text, 'g'::text);


--
-- Name: FUNCTION _regex_strip_group_names(p_pattern text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._regex_strip_group_names(p_pattern text) IS 'The pattern with (?<name> turned into a plain capturing group.';


--
-- Name: momo_parsed_txns; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_parsed_txns (
    id bigint NOT NULL,
    inbox_id bigint NOT NULL,
    direction text,
    kind text,
    format text,
    msisdn_e164 text,
    msisdn_suffix text,
    sender_name text,
    sender_note text,
    amount numeric(18,2),
    currency text,
    txn_id text,
    txn_ts timestamp with time zone,
    confidence numeric(3,2) NOT NULL,
    parsed_json jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    duplicate_of bigint,
    account text,
    balance numeric(18,2),
    fee numeric(18,2),
    genuine boolean DEFAULT false NOT NULL,
    movement numeric GENERATED ALWAYS AS (
CASE
    WHEN ((NOT genuine) OR (duplicate_of IS NOT NULL) OR (amount IS NULL)) THEN NULL::numeric
    WHEN (direction = 'in'::text) THEN amount
    WHEN (direction = 'out'::text) THEN (- (amount + COALESCE(fee, (0)::numeric)))
    ELSE (0)::numeric
END) STORED,
    sms_time_ok boolean,
    CONSTRAINT momo_parsed_txns_amount_check CHECK ((amount > (0)::numeric)),
    CONSTRAINT momo_parsed_txns_balance_check CHECK ((balance >= (0)::numeric)),
    CONSTRAINT momo_parsed_txns_confidence_check CHECK (((confidence >= (0)::numeric) AND (confidence <= (1)::numeric))),
    CONSTRAINT momo_parsed_txns_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT momo_parsed_txns_direction_check CHECK ((direction = ANY (ARRAY['in'::text, 'out'::text]))),
    CONSTRAINT momo_parsed_txns_fee_check CHECK ((fee >= (0)::numeric)),
    CONSTRAINT momo_parsed_txns_msisdn_e164_check CHECK ((msisdn_e164 ~ '^\+[1-9][0-9]{7,14}$'::text)),
    CONSTRAINT momo_parsed_txns_msisdn_suffix_check CHECK ((msisdn_suffix ~ '^[0-9]{1,6}$'::text)),
    CONSTRAINT momo_parsed_txns_only_genuine_claims CHECK (((txn_id IS NULL) OR (genuine AND (duplicate_of IS NULL))))
);


--
-- Name: TABLE momo_parsed_txns; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_parsed_txns IS 'What the parser read from each inbox SMS (one row per SMS). txn_id is unique: a second SMS with the same transaction id is a duplicate and is never allocated again.';


--
-- Name: COLUMN momo_parsed_txns.duplicate_of; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.duplicate_of IS 'For an SMS whose transaction id was already parsed: the earlier parse (its txn_id is then kept only in parsed_json, so the unique txn_id still means one transaction, one row).';


--
-- Name: COLUMN momo_parsed_txns.account; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.account IS 'The receiving account the SMS belongs to: momo_sms_inbox.receiving_account, else its ingest_source.';


--
-- Name: COLUMN momo_parsed_txns.balance; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.balance IS 'The account''s new balance stated by the SMS (null when the format or the SMS states none).';


--
-- Name: COLUMN momo_parsed_txns.fee; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.fee IS 'The fee a money-out SMS states.';


--
-- Name: COLUMN momo_parsed_txns.genuine; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.genuine IS 'True when a known format matched and the gateway sender is one of momo_provider_senders for its provider. Only genuine parses claim a transaction id or take part in the balance chain.';


--
-- Name: COLUMN momo_parsed_txns.movement; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.movement IS 'Signed money movement of a genuine first SMS: +amount in, -(amount + fee) out, 0 when no money moved; null for duplicates and SMS that are not genuine. The chain links balances with it.';


--
-- Name: COLUMN momo_parsed_txns.sms_time_ok; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_parsed_txns.sms_time_ok IS 'Whether the time written in the SMS is within MOMO_BALANCE_TIME_WINDOW of when the phone received it (momo_sms_inbox.received_at); null when the SMS states no time. An SMS outside the window is never verified.';


--
-- Name: momo_unmatched; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_unmatched (
    id bigint NOT NULL,
    inbox_id bigint NOT NULL,
    parsed_id bigint,
    reason text NOT NULL,
    detail text,
    suggested_member_id uuid,
    status text DEFAULT 'open'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_at timestamp with time zone,
    resolved_by text,
    resolution text,
    resolution_note text,
    ledger_id bigint,
    candidates jsonb,
    CONSTRAINT momo_unmatched_allocation_has_ledger CHECK (((resolution = 'allocated'::text) = (ledger_id IS NOT NULL))),
    CONSTRAINT momo_unmatched_reason_check CHECK ((reason = ANY (ARRAY['amount_above_limit'::text, 'amount_unavailable'::text, 'balance_unverified'::text, 'currency_mismatch'::text, 'dead_letter'::text, 'low_confidence'::text, 'member_code_ambiguous'::text, 'member_of_other_group'::text, 'membership_ambiguous'::text, 'membership_not_found'::text, 'payer_ambiguous'::text, 'payer_not_recognised'::text, 'payer_unknown'::text, 'profile_not_found'::text, 'sender_not_operator'::text, 'sender_unknown'::text, 'sms_time_mismatch'::text, 'txn_id_conflict'::text, 'txn_id_missing'::text]))),
    CONSTRAINT momo_unmatched_resolution_check CHECK ((resolution = ANY (ARRAY['allocated'::text, 'dismissed'::text, 'requeued'::text]))),
    CONSTRAINT momo_unmatched_resolution_complete CHECK ((((status = 'open'::text) AND (resolved_at IS NULL) AND (resolution IS NULL)) OR ((status = 'resolved'::text) AND (resolved_at IS NOT NULL) AND (resolution IS NOT NULL) AND (resolved_by IS NOT NULL) AND (resolution_note IS NOT NULL)))),
    CONSTRAINT momo_unmatched_status_check CHECK ((status = ANY (ARRAY['open'::text, 'resolved'::text])))
);


--
-- Name: TABLE momo_unmatched; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_unmatched IS 'SMS the allocator could not allocate safely, for a person to resolve. reason says why; suggested_member_id is only a hint (masked number + name), never an allocation.';


--
-- Name: COLUMN momo_unmatched.candidates; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_unmatched.candidates IS 'For a payer whose number is masked, on an account of a group: the active members of that group whose number ends with the visible digits, each with whether its name agrees with the SMS name ([{member_id, display_name, member_code, names_agree}]). A hint; resolving is one unmatched_resolve() call.';


--
-- Name: remembered_payers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.remembered_payers (
    id bigint NOT NULL,
    ikimina_id uuid NOT NULL,
    msisdn_e164 text,
    payer_name text,
    msisdn_suffix text,
    member_id uuid NOT NULL,
    case_id bigint,
    remembered_at timestamp with time zone DEFAULT now() NOT NULL,
    remembered_by text DEFAULT SESSION_USER NOT NULL,
    CONSTRAINT remembered_payers_msisdn_e164_check CHECK ((msisdn_e164 ~ '^\+[1-9][0-9]{7,14}$'::text)),
    CONSTRAINT remembered_payers_msisdn_suffix_check CHECK ((msisdn_suffix ~ '^[0-9]{1,6}$'::text)),
    CONSTRAINT remembered_payers_payer_name_check CHECK ((payer_name ~ '^[a-z0-9]+( [a-z0-9]+)+$'::text)),
    CONSTRAINT remembered_payers_stated CHECK ((((payer_name IS NULL) = (msisdn_suffix IS NULL)) AND ((msisdn_e164 IS NOT NULL) OR (payer_name IS NOT NULL))))
);


--
-- Name: TABLE remembered_payers; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.remembered_payers IS 'Payers a treasurer recognised once (unmatched_resolve(..., p_remember_payer => true)): for a group, the payer as the SMS states it (normalised name and visible digits, and the full number when shown) and the member the payer pays for. Later SMS from that payer to one of the group''s collection accounts are allocated to that member (matched_by remembered_payer). Forgotten with remembered_payer_forget().';


--
-- Name: _remembered_payer_add(public.momo_unmatched, public.momo_parsed_txns, uuid, public.ibimina_members); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._remembered_payer_add(p_case public.momo_unmatched, p_parsed public.momo_parsed_txns, p_ikimina_id uuid, p_member public.ibimina_members) RETURNS public.remembered_payers
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_name text := public._payer_name_key(p_parsed.sender_name);
    v_suffix text;
    v_row public.remembered_payers;
begin
    if p_ikimina_id is null then
        raise exception 'SMS % was not received on a collection account: a payer is remembered for a group''s accounts',
            p_case.inbox_id
            using errcode = 'MM422', column = 'p_remember_payer',
            hint = 'Add the account first: collection_account_add(group, account, reason).';
    end if;
    v_suffix := coalesce(p_parsed.msisdn_suffix, right(p_parsed.msisdn_e164, 3));
    if p_parsed.msisdn_e164 is null and (v_name is null or v_suffix is null) then
        raise exception 'SMS % states no payer to remember (a full number, or a name of two words and visible digits)',
            p_case.inbox_id
            using errcode = 'MM422', column = 'p_remember_payer',
            hint = 'Resolve the case without p_remember_payer.';
    end if;

    -- The payer as the SMS states it: its name and visible digits (the last three of a
    -- full number), and its full number when shown; remembered already under either?
    select * into v_row
    from public.remembered_payers as r
    where
        r.ikimina_id = p_ikimina_id
        and (
            r.msisdn_e164 = p_parsed.msisdn_e164
            or (r.payer_name = v_name and r.msisdn_suffix = v_suffix)
        )
    order by r.member_id = p_member.id, r.id
    limit 1;
    if found and v_row.member_id = p_member.id then
        return v_row;
    elsif found then
        raise exception 'this payer is already remembered as paying for member % (remembered payer %)',
            v_row.member_id, v_row.id
            using errcode = 'MM409', column = 'p_remember_payer',
            hint = 'If that changed, remembered_payer_forget(id, reason) first.';
    end if;

    insert into public.remembered_payers (
        ikimina_id, msisdn_e164, payer_name, msisdn_suffix, member_id, case_id
    )
    values (
        p_ikimina_id, p_parsed.msisdn_e164, v_name,
        case when v_name is not null then v_suffix end,
        p_member.id, p_case.id
    )
    returning * into v_row;
    return v_row;
exception when unique_violation then
    raise exception 'this payer was just remembered by another session'
        using errcode = 'MM409', column = 'p_remember_payer', hint = 'See remembered_payers.';
end;
$$;


--
-- Name: FUNCTION _remembered_payer_add(p_case public.momo_unmatched, p_parsed public.momo_parsed_txns, p_ikimina_id uuid, p_member public.ibimina_members); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._remembered_payer_add(p_case public.momo_unmatched, p_parsed public.momo_parsed_txns, p_ikimina_id uuid, p_member public.ibimina_members) IS 'unmatched_resolve(..., p_remember_payer => true): remembers for group p_ikimina_id the payer of the case''s SMS as it states it (normalised name and visible digits, and the full number when shown) as paying for p_member. Returns the row (the existing one when already remembered for that member); MM409 when remembered for another member, MM422 when the SMS came to no collection account or states no payer.';


--
-- Name: _require_argument(boolean, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._require_argument(p_ok boolean, p_message text, p_column text, p_hint text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    -- p_ok null counts as not ok: a missing argument is a missing argument.
    if p_ok then
        return;
    elsif p_hint is null then
        raise exception '%', p_message using errcode = 'MM400', column = p_column;
    end if;
    raise exception '%', p_message using errcode = 'MM400', column = p_column, hint = p_hint;
end;
$$;


--
-- Name: FUNCTION _require_argument(p_ok boolean, p_message text, p_column text, p_hint text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._require_argument(p_ok boolean, p_message text, p_column text, p_hint text) IS 'DBA functions: raise MM400 with p_message, naming the argument p_column (and p_hint when given), unless p_ok is true. One way for every correction function to refuse a missing or empty argument.';


--
-- Name: _require_audited_table(oid, regprocedure); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._require_audited_table(p_relid oid, p_trigger_function regprocedure) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    -- An audit trigger writes audit_log as the schema owner: only for a table of the
    -- schema (in public, owned by the owner of the trigger function), never for a
    -- temporary or other table a role made and hung the trigger function on.
    if not exists (
        select
        from pg_catalog.pg_class as c
        join pg_catalog.pg_proc as p on p.oid = p_trigger_function
        where c.oid = p_relid
            and c.relnamespace = 'public'::regnamespace
            and c.relpersistence = 'p'
            and c.relowner = p.proowner
    ) then
        raise exception '% writes audit rows for the schema''s own tables only, not for %',
            p_trigger_function, p_relid::regclass
            using errcode = 'MM403',
            hint = 'Audit rows come only from the audit triggers of the audited tables.';
    end if;
end;
$$;


--
-- Name: FUNCTION _require_audited_table(p_relid oid, p_trigger_function regprocedure); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._require_audited_table(p_relid oid, p_trigger_function regprocedure) IS 'Internal, for the audit trigger functions: raises MM403 unless p_relid is a permanent table in public owned by the owner of p_trigger_function (a table the migrations made), so an audit trigger hung on a temporary or foreign table writes nothing.';


--
-- Name: _require_money(text, numeric, boolean, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._require_money(p_name text, p_value numeric, p_required boolean DEFAULT true, p_allow_zero boolean DEFAULT false) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    if p_value is null then
        if p_required then
            raise exception '% is required', p_name using errcode = 'MM400', column = p_name;
        end if;
        return null;
    end if;
    perform public._money_exact(p_name, p_value);  -- NaN, infinities, decimals, range
    if p_value < 0 or (p_value = 0 and not p_allow_zero) then
        raise exception '% must be %, got %', p_name,
            case when p_allow_zero then 'zero or more' else 'positive' end, p_value
            using errcode = 'MM400', column = p_name;
    end if;
    return p_value;
end;
$$;


--
-- Name: FUNCTION _require_money(p_name text, p_value numeric, p_required boolean, p_allow_zero boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._require_money(p_name text, p_value numeric, p_required boolean, p_allow_zero boolean) IS 'The one check of a money argument: raises MM400 naming p_name when p_value is null (if required), NaN, infinite, has more than 2 decimals, is 1e16 or more (beyond numeric(18, 2)), negative or zero (unless allowed); returns it. Used by every correction and credit function.';


--
-- Name: _require_text(text, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._require_text(p_value text, p_message text, p_column text, p_hint text DEFAULT NULL::text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
begin
    perform public._require_argument(public._has_visible_character(p_value), p_message, p_column, p_hint);
    return p_value;
end;
$$;


--
-- Name: FUNCTION _require_text(p_value text, p_message text, p_column text, p_hint text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._require_text(p_value text, p_message text, p_column text, p_hint text) IS 'DBA functions: raise MM400 with p_message naming the argument p_column (and p_hint when given) unless p_value contains a visible character; returns it. The one check of every reason and note.';


--
-- Name: _setting(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._setting(p_key text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_value text;
begin
    select s.value into v_value from app_settings as s where s.key = p_key;
    if not found then
        raise exception 'unknown setting %', p_key
            using errcode = 'MM404', hint = 'See select key, value from app_settings.';
    end if;
    return v_value;
end;
$$;


--
-- Name: FUNCTION _setting(p_key text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._setting(p_key text) IS 'Current value of one app_settings key (text).';


--
-- Name: _wallet_money_exact(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public._wallet_money_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
    new.balance := public._money_exact('balance', new.balance);
    return new;
end;
$$;


--
-- Name: FUNCTION _wallet_money_exact(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public._wallet_money_exact() IS 'Trigger function on "Wallet" (before insert or update): balance must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 naming the column; never rounded); stored with exactly two decimals, as the table''s *_money checks require.';


--
-- Name: account_relabel(text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.account_relabel(p_old text, p_account text, p_reason text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
declare
    v_new text := public._msisdn_e164(p_account, public._setting('MOMO_DEFAULT_COUNTRY_CODE'));
    v_inbox bigint;
    v_parses bigint;
    v_holds bigint;
    v_collection bigint := 0::bigint;
    v_after jsonb;
begin
    perform public._require_text(
        p_reason, 'a reason is required to relabel an account', 'p_reason',
        'Say why, e.g. ''collection phone moved from SMSSync to sms-gate, ticket 12''.'
    );
    perform public._require_argument(
        coalesce(btrim(p_old), '') <> '', 'the old account name is required', 'p_old',
        'The account as stored: select distinct account from momo_parsed_txns.'
    );
    perform public._require_argument(
        v_new is not null, format('%s is not a phone number', coalesce(p_account, 'null')),
        'p_account', 'The collection phone''s own number, e.g. +250788123456.'
    );
    perform public._require_argument(
        v_new <> p_old, format('%s is already the account''s number', p_old), 'p_account'
    );

    -- The SMS history (spec-route rows without an account are named by their ingest_source),
    -- the balance chain's parses, its held credits, then the group's collection account.
    update public.momo_sms_inbox
    set receiving_account = v_new
    where receiving_account = p_old or (receiving_account is null and ingest_source = p_old);
    get diagnostics v_inbox = row_count;
    update public.momo_parsed_txns set account = v_new where account = p_old;
    get diagnostics v_parses = row_count;
    update public.momo_balance_holds set account = v_new where account = p_old;
    get diagnostics v_holds = row_count;
    if to_regclass('public.collection_accounts') is not null then
        begin
            execute 'update public.collection_accounts set account = $1 where account = $2'
            using v_new, p_old;
            get diagnostics v_collection = row_count;
        exception when unique_violation then
            raise exception '% already collects for a group: % cannot become it', v_new, p_old
                using errcode = 'MM409',
                hint = 'Remove one of the two collection accounts first (collection_account_remove).';
        end;
    end if;

    if v_inbox + v_parses + v_holds + v_collection = 0 then
        raise exception 'no SMS and no collection account is named %', p_old
            using errcode = 'MM404',
            hint = 'See select account, count(*) from momo_parsed_txns group by account.';
    end if;

    v_after := jsonb_build_object(
        'account', v_new, 'inbox_rows', v_inbox, 'parses', v_parses, 'holds', v_holds,
        'collection_accounts', v_collection
    );
    perform public._audit(
        'account_relabel', 'receiving_account', p_old, p_reason,
        jsonb_build_object('account', p_old), v_after
    );
    return v_after;
end;
$_$;


--
-- Name: FUNCTION account_relabel(p_old text, p_account text, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.account_relabel(p_old text, p_account text, p_reason text) IS 'DBA: carries an account''s history over to the collection phone''s own number (E.164) after the phone changed gateway app (or the app started telling its number): re-labels its SMS, its balance chain parses, held credits and collection account, so balance history and per-account settings continue under the number. Audited; MM400 bad argument, MM404 unknown account, MM409 the number already collects for a group. Returns the counts re-labelled.';


--
-- Name: app_readiness(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.app_readiness() RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select jsonb_build_object(
        'migration_version', (select max(v.version) from public.schema_version as v),
        'pg_cron_installed', exists (select from pg_extension where extname = 'pg_cron'),
        'pg_cron_running', exists (
            select from pg_stat_activity where backend_type = 'pg_cron launcher'
        )
    );
$$;


--
-- Name: FUNCTION app_readiness(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.app_readiness() IS 'Readiness facts for /readyz: the applied migration version and whether pg_cron is installed in this database and its scheduler is running.';


--
-- Name: balance_anchor_confirm(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.balance_anchor_confirm(p_inbox_id bigint, p_reason text) RETURNS TABLE(inbox_id bigint, account text, balance numeric, verified_how text, verified_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_parsed public.momo_parsed_txns;
    v_before public.momo_balance_history;
    v_after public.momo_balance_history;
begin
    perform public._require_text(
        p_reason, 'a reason is required to confirm a balance anchor', 'p_reason',
        'Say how you checked, e.g. ''MoMo statement on the phone shows balance 61,200 after this '
        'payment, ticket 123''.'
    );
    perform public._require_argument(p_inbox_id is not null, 'an inbox id is required', 'p_inbox_id');

    -- The account's walk lock first (as every walk takes it, before any row lock of
    -- the account's): then no walk runs, and none inserts into its history, meanwhile.
    perform public._momo_balance_walk_lock(
        array(select p.account from public.momo_parsed_txns as p where p.inbox_id = p_inbox_id), true
    );
    select p.* into v_parsed
    from public.momo_parsed_txns as p
    where p.inbox_id = p_inbox_id
    for update of p;
    if not found then
        raise exception 'SMS % has no parse: it does not exist or the allocator has not read it yet',
            p_inbox_id
            using errcode = 'MM404', hint = 'See select id, outcome from momo_sms_inbox where id = ...';
    end if;
    if v_parsed.movement is null or v_parsed.balance is null then
        raise exception 'SMS % cannot anchor its account''s balance history', p_inbox_id
            using errcode = 'MM409',
            hint = 'An anchor is a genuine SMS (operator sender, known format, not a duplicate) that '
            'states a balance. Pick another SMS of the account.';
    end if;
    select h.* into v_before
    from public.momo_balance_history as h
    where h.parsed_id = v_parsed.id
    for update of h;
    if v_before.verified_how = 'anchor' then
        raise exception 'SMS % is already an anchor of account %', p_inbox_id, v_parsed.account
            using errcode = 'MM409', hint = 'Nothing to do.';
    end if;

    -- A person's word overrides the time check too.
    update public.momo_parsed_txns as p set sms_time_ok = true where p.id = v_parsed.id;
    insert into public.momo_balance_history as h (parsed_id, verified_how)
    values (v_parsed.id, 'anchor')
    on conflict (parsed_id) do update set verified_how = 'anchor', verified_at = now()
    returning h.* into v_after;

    perform public._audit(
        'balance_anchor_confirm', 'momo_balance_history', v_parsed.id::text, p_reason,
        jsonb_build_object(
            'inbox_id', p_inbox_id, 'account', v_parsed.account, 'balance', v_parsed.balance,
            'verified_at', v_before.verified_at, 'verified_how', v_before.verified_how
        ),
        jsonb_build_object(
            'inbox_id', p_inbox_id, 'account', v_parsed.account, 'balance', v_parsed.balance,
            'verified_at', v_after.verified_at, 'verified_how', v_after.verified_how
        )
    );

    -- Everything after it that links is verified now; its held credits are posted at once.
    perform public._momo_balance_verify(array[v_parsed.account], array[v_parsed.txn_ts]);
    perform public._momo_balance_release();
    return query select v_parsed.inbox_id, v_parsed.account, v_parsed.balance::numeric,
        v_after.verified_how, v_after.verified_at;
end;
$$;


--
-- Name: FUNCTION balance_anchor_confirm(p_inbox_id bigint, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.balance_anchor_confirm(p_inbox_id bigint, p_reason text) IS 'DBA: "I checked the phone''s MoMo balance (or statement): this SMS is genuine." Makes the SMS of p_inbox_id an anchor of its account''s verified balance history (momo_balance_history, verified_how anchor) and returns it (inbox_id, account, balance, verified_how, verified_at); verifies the SMS after it that link, and posts at once every held credit that is verified now. For a brand-new account and after a break no SMS fills. Audited.';


--
-- Name: collection_accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_accounts (
    account text NOT NULL,
    ikimina_id uuid NOT NULL,
    added_at timestamp with time zone DEFAULT now() NOT NULL,
    added_by text DEFAULT SESSION_USER NOT NULL,
    CONSTRAINT collection_accounts_account_check CHECK (((btrim(account) <> ''::text) AND (length(account) <= 128)))
);


--
-- Name: TABLE collection_accounts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.collection_accounts IS 'Receiving accounts (momo_sms_inbox.receiving_account, else ingest_source: the account stored on each parse) that collect for one group each. An SMS received on such an account can only credit an active member of that group. Written by collection_account_add() and collection_account_remove(), audited.';


--
-- Name: collection_account_add(uuid, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_account_add(p_ikimina_id uuid, p_account text, p_reason text) RETURNS public.collection_accounts
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_row public.collection_accounts;
begin
    perform public._require_text(
        p_reason, 'a reason is required', 'p_reason',
        'Say why, e.g. ''the group''s collection phone, SIM registered to the treasurer''.'
    );
    perform public._require_argument(p_ikimina_id is not null, 'a group is required', 'p_ikimina_id');
    perform public._require_argument(
        coalesce(btrim(p_account), '') <> '', 'an account is required', 'p_account',
        'The account as the SMS are stored with it: select distinct account from momo_parsed_txns.'
    );
    if not exists (select from public.ibimina where id = p_ikimina_id) then
        raise exception 'group % does not exist', p_ikimina_id
            using errcode = 'MM404', column = 'p_ikimina_id', hint = 'select id, name from ibimina.';
    end if;
    select * into v_row from public.collection_accounts where account = p_account;
    if found then
        raise exception 'account % already collects for group %', p_account, v_row.ikimina_id
            using errcode = 'MM409', column = 'p_account',
            hint = 'An account collects for one group: collection_account_remove() it first.';
    end if;
    insert into public.collection_accounts (account, ikimina_id)
    values (p_account, p_ikimina_id)
    returning * into v_row;
    perform public._audit(
        'collection_account_add', 'collection_accounts', p_account, p_reason, null, to_jsonb(v_row)
    );
    return v_row;
exception when unique_violation then
    raise exception 'account % was just added by another session', p_account
        using errcode = 'MM409', column = 'p_account';
end;
$$;


--
-- Name: FUNCTION collection_account_add(p_ikimina_id uuid, p_account text, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.collection_account_add(p_ikimina_id uuid, p_account text, p_reason text) IS 'DBA: the receiving account p_account (as stored on parses: the gateway''s receiving number, else its ingest source) collects for group p_ikimina_id from now on: SMS it receives can only credit that group''s active members, and masked payers are recognised by name and visible digits. MM409 when the account already collects for a group. Audited.';


--
-- Name: collection_account_remove(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.collection_account_remove(p_account text, p_reason text) RETURNS public.collection_accounts
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_row public.collection_accounts;
begin
    perform public._require_text(
        p_reason, 'a reason is required', 'p_reason',
        'Say why, e.g. ''the group changed its collection phone''.'
    );
    perform public._require_argument(
        coalesce(btrim(p_account), '') <> '', 'an account is required', 'p_account'
    );
    delete from public.collection_accounts where account = p_account returning * into v_row;
    if not found then
        raise exception 'account % is not a collection account', p_account
            using errcode = 'MM404', column = 'p_account', hint = 'select * from collection_accounts.';
    end if;
    perform public._audit(
        'collection_account_remove', 'collection_accounts', p_account, p_reason, to_jsonb(v_row), null
    );
    return v_row;
end;
$$;


--
-- Name: FUNCTION collection_account_remove(p_account text, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.collection_account_remove(p_account text, p_reason text) IS 'DBA: the account p_account no longer collects for its group; SMS it receives from now on resolve as on an account of no group (full number or member code only). Audited.';


--
-- Name: credit_consume(text, numeric, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.credit_consume(p_campaign_id text, p_used numeric, p_detail jsonb DEFAULT NULL::jsonb) RETURNS public."CreditReservation"
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation public."CreditReservation";
begin
    perform public._require_money('used', p_used, true, true);
    if p_detail is not null and jsonb_typeof(p_detail) <> 'object' then
        raise exception 'detail must be a JSON object' using errcode = 'MM400', column = 'detail';
    end if;

    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id and r.status = 'active';
    if found then
        v_reservation := public._credit_consume_reservation(v_reservation.id, p_used, p_detail);
        if v_reservation.id is not null then
            return v_reservation;
        end if;
        -- settled meanwhile by another session: answer as for a retry below
    end if;

    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id
    order by r."createdAt" desc, r.id desc
    limit 1;
    if not found then
        if exists (select from public."Campaign" as c where c.id = p_campaign_id) then
            raise exception 'campaign % has no credit reservation', p_campaign_id
                using errcode = 'MM404', column = 'campaignId', hint = 'Reserve with credit_reserve().';
        end if;
        raise exception 'campaign % does not exist', p_campaign_id
            using errcode = 'MM404', column = 'campaignId';
    end if;
    if v_reservation.status = 'consumed' and v_reservation."usedAmount" = p_used then
        return v_reservation;  -- a retry: charged once
    end if;
    if v_reservation.status = 'consumed' then
        raise exception 'campaign % already consumed % credits (reservation %), not %', p_campaign_id,
            v_reservation."usedAmount", v_reservation.id, p_used
            using errcode = 'MM409';
    end if;
    raise exception 'campaign % has no active reservation: % was % at % (%)', p_campaign_id,
        v_reservation.id, v_reservation.status, v_reservation."releasedAt",
        v_reservation.meta ->> 'releaseReason'
        using errcode = 'MM409',
        hint = 'Its credits were freed; reserve again with credit_reserve() before charging.';
end;
$$;


--
-- Name: FUNCTION credit_consume(p_campaign_id text, p_used numeric, p_detail jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.credit_consume(p_campaign_id text, p_used numeric, p_detail jsonb) IS 'Credits service, when a campaign completes: debits the p_used credits (at most the reserved amount) of its active reservation and releases the rest, in one transaction. A retry with the same amount returns the consumed reservation and charges nothing twice.';


--
-- Name: credit_expire(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.credit_expire(p_reservation_id text) RETURNS public."CreditReservation"
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation public."CreditReservation";
    v_max_age interval := public._setting('CREDITS_RESERVATION_MAX_AGE')::interval;
begin
    select * into v_reservation
    from public."CreditReservation" as r
    where r.id = p_reservation_id
    for update;
    if not found then
        raise exception 'credit reservation % does not exist', p_reservation_id
            using errcode = 'MM404', column = 'reservationId';
    end if;
    if v_reservation.status <> 'active' then
        raise exception 'credit reservation % is not active: % at %', p_reservation_id,
            v_reservation.status, v_reservation."releasedAt"
            using errcode = 'MM409', hint = 'Nothing was changed.';
    end if;
    if v_reservation."expiresAt" >= now() and v_reservation."createdAt" >= now() - v_max_age then
        raise exception 'credit reservation % is not due to expire until %', p_reservation_id,
            least(v_reservation."expiresAt", v_reservation."createdAt" + v_max_age)
            using errcode = 'MM409', hint = 'To free its credits now, release it with a reason.';
    end if;
    return public._credit_release_reservation(
        p_reservation_id, 'expired',
        case when v_reservation."expiresAt" < now() then 'expired' else 'max_age_exceeded' end
    );
end;
$$;


--
-- Name: FUNCTION credit_expire(p_reservation_id text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.credit_expire(p_reservation_id text) IS 'Credits service and DBAs: expires an active reservation that is past "expiresAt" or older than CREDITS_RESERVATION_MAX_AGE, freeing its credits; audited. MM409 when it is not active or not yet due, MM404 for an unknown id.';


--
-- Name: credit_reconcile(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.credit_reconcile() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_started_at timestamptz := clock_timestamp();
    v_max_age interval := public._setting('CREDITS_RESERVATION_MAX_AGE')::interval;
    v_row record;
    v_settled public."CreditReservation";
    v_released integer := 0;
    v_consumed integer := 0;
    v_expired integer := 0;
    v_errors jsonb := '[]'::jsonb;
    v_run_id bigint;
    v_summary jsonb;
begin
    -- 1. Active reservations of final campaigns (status changed with triggers
    --    bypassed): settle them as the status change would have. The settling
    --    takes its locks in the usual order (wallet, reservation) and re-checks
    --    that the reservation is still active, so this scan locks nothing.
    for v_row in
        select r.id, r."campaignId", c.status as campaign_status, c."creditsUsed"
        from public."CreditReservation" as r
        inner join public."Campaign" as c on r."campaignId" = c.id
        where r.status = 'active' and c.status in ('sent', 'failed')
        order by r.id
    loop
        begin
            v_settled := public._credit_settle_campaign(
                v_row."campaignId", v_row.campaign_status, v_row."creditsUsed", 'credits-reconcile'
            );
            if v_settled.status = 'consumed' then
                v_consumed := v_consumed + 1;
            elsif v_settled.status = 'released' then
                v_released := v_released + 1;
            end if;
        exception when others then
            v_errors := v_errors || jsonb_build_object(
                'reservationId', v_row.id, 'sqlstate', sqlstate, 'message', sqlerrm
            );
        end;
    end loop;

    -- 2. Active reservations past "expiresAt" or older than the maximum age
    --    (runbook: "older than 48 hours"). Expiring needs no wallet lock; a row
    --    locked right now is being settled by its owner and is skipped.
    for v_row in
        select r.id, r."expiresAt"
        from public."CreditReservation" as r
        where r.status = 'active'
            and (r."expiresAt" < now() or r."createdAt" < now() - v_max_age)
        order by r."expiresAt", r.id
        for update skip locked
    loop
        begin
            v_settled := public._credit_release_reservation(
                v_row.id, 'expired',
                case when v_row."expiresAt" < now() then 'expired' else 'max_age_exceeded' end,
                '{"settledBy": "credits-reconcile"}'
            );
            if v_settled.id is not null then
                v_expired := v_expired + 1;
            end if;
        exception when others then
            v_errors := v_errors || jsonb_build_object(
                'reservationId', v_row.id, 'sqlstate', sqlstate, 'message', sqlerrm
            );
        end;
    end loop;

    v_summary := jsonb_build_object(
        'released', v_released,
        'consumed', v_consumed,
        'expired', v_expired,
        'errors', v_errors,
        'startedAt', v_started_at
    );
    insert into public.credit_reconcile_runs (
        started_at, released, consumed, expired, errors, summary
    )
    values (
        v_started_at, v_released, v_consumed, v_expired, jsonb_array_length(v_errors), v_summary
    )
    returning id into v_run_id;
    return v_summary || jsonb_build_object('runId', v_run_id);
end;
$$;


--
-- Name: FUNCTION credit_reconcile(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.credit_reconcile() IS 'The credits-reconcile job (pg_cron, every 10 minutes; DBAs may run it by hand): settles active reservations of sent/failed campaigns (consumes "creditsUsed" when known, else releases), expires those past "expiresAt" or older than CREDITS_RESERVATION_MAX_AGE, records the run in credit_reconcile_runs (each change is in audit_log) and returns the summary as jsonb.';


--
-- Name: credit_release(text, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.credit_release(p_reservation_id text, p_reason text, p_detail jsonb DEFAULT NULL::jsonb) RETURNS public."CreditReservation"
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_reservation public."CreditReservation";
begin
    if not public._has_visible_character(p_reason) or length(p_reason) > 200 then
        raise exception 'a release reason is required (at most 200 characters)'
            using errcode = 'MM400', column = 'reason';
    end if;
    if p_detail is not null and jsonb_typeof(p_detail) <> 'object' then
        raise exception 'detail must be a JSON object' using errcode = 'MM400', column = 'detail';
    end if;

    v_reservation := public._credit_release_reservation(p_reservation_id, 'released', p_reason, p_detail);
    if v_reservation.id is not null then
        return v_reservation;
    end if;

    select * into v_reservation from public."CreditReservation" as r where r.id = p_reservation_id;
    if not found then
        raise exception 'credit reservation % does not exist', p_reservation_id
            using errcode = 'MM404', column = 'reservationId';
    end if;
    raise exception 'credit reservation % is not active: % at % (%)', p_reservation_id,
        v_reservation.status, v_reservation."releasedAt",
        coalesce(v_reservation.meta ->> 'releaseReason', 'used ' || v_reservation."usedAmount")
        using errcode = 'MM409', hint = 'Nothing was changed: its credits are already free.';
end;
$$;


--
-- Name: FUNCTION credit_release(p_reservation_id text, p_reason text, p_detail jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.credit_release(p_reservation_id text, p_reason text, p_detail jsonb) IS 'Credits service and DBAs: releases an active reservation without charging, with the reason in meta.releaseReason; audited. MM404 for an unknown id, MM409 when it is no longer active (so a retry changes nothing and says why).';


--
-- Name: credit_reserve(text, numeric, interval); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.credit_reserve(p_campaign_id text, p_amount numeric, p_expires_in interval DEFAULT NULL::interval) RETURNS public."CreditReservation"
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_campaign public."Campaign";
    v_reservation public."CreditReservation";
    v_max_age interval := public._setting('CREDITS_RESERVATION_MAX_AGE')::interval;
    v_expires_in interval;
    v_balance numeric;
    v_reserved numeric;
begin
    perform public._require_money('amount', p_amount);
    if p_expires_in is not null and (p_expires_in <= interval '0' or p_expires_in > v_max_age) then
        raise exception 'expiresIn must be more than 0 and at most % (CREDITS_RESERVATION_MAX_AGE), got %',
            v_max_age, p_expires_in
            using errcode = 'MM400', column = 'expiresIn';
    end if;
    v_expires_in := coalesce(
        p_expires_in, least(public._setting('CREDITS_RESERVATION_TTL')::interval, v_max_age)
    );

    -- Lock order everywhere: campaign, wallet, reservation. The share lock keeps
    -- the campaign from turning final while its reservation is being made.
    select * into v_campaign from public."Campaign" as c where c.id = p_campaign_id for share;
    if not found then
        raise exception 'campaign % does not exist', p_campaign_id
            using errcode = 'MM404', column = 'campaignId';
    end if;
    if v_campaign.status in ('sent', 'failed') then
        raise exception 'campaign % is % and cannot reserve credits', p_campaign_id, v_campaign.status
            using errcode = 'MM409';
    end if;

    -- The wallet lock serialises reservations of one shop: the available
    -- credit read below cannot change until this transaction ends.
    select w.balance into v_balance
    from public."Wallet" as w
    where w."shopId" = v_campaign."shopId"
    for update;

    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id and r.status in ('active', 'consumed')
    order by r.status = 'active' desc, r."createdAt" desc
    limit 1;
    if found and v_reservation.status = 'active' then
        if v_reservation.amount = p_amount then
            return v_reservation;  -- a retry: the same reservation, nothing reserved twice
        end if;
        raise exception 'campaign % already holds reservation % of % credits', p_campaign_id,
            v_reservation.id, v_reservation.amount
            using errcode = 'MM409',
            hint = 'Consume or release it first; a campaign has at most one active reservation.';
    elsif found then
        raise exception 'campaign % already consumed its reservation %', p_campaign_id, v_reservation.id
            using errcode = 'MM409', hint = 'Its credits were charged; it cannot reserve again.';
    end if;

    select coalesce(sum(r.amount), 0) into v_reserved
    from public."CreditReservation" as r
    where r."shopId" = v_campaign."shopId" and r.status = 'active';
    if coalesce(v_balance, 0) - v_reserved < p_amount then
        raise exception 'shop % has % credits available, % requested', v_campaign."shopId",
            coalesce(v_balance, 0) - v_reserved, p_amount
            using errcode = 'MM402', column = 'amount',
            detail = format('balance %s, reserved by active reservations %s',
                coalesce(v_balance, 0), v_reserved),
            hint = 'Top up the wallet, or wait for active reservations to be consumed or released.';
    end if;

    insert into public."CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
    values (v_campaign."shopId", p_campaign_id, p_amount, now() + v_expires_in)
    returning * into v_reservation;
    return v_reservation;
end;
$$;


--
-- Name: FUNCTION credit_reserve(p_campaign_id text, p_amount numeric, p_expires_in interval); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.credit_reserve(p_campaign_id text, p_amount numeric, p_expires_in interval) IS 'Credits service: reserves credits for a campaign before it sends, under the wallet lock; MM402 when the shop''s available credit is short. Expires after p_expires_in, default CREDITS_RESERVATION_TTL (48 hours). A retry returns the campaign''s active reservation.';


--
-- Name: credit_top_up(text, numeric, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.credit_top_up(p_shop_id text, p_amount numeric, p_reference text, p_detail jsonb DEFAULT NULL::jsonb) RETURNS public."CreditTransaction"
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
declare
    v_transaction public."CreditTransaction";
begin
    if p_shop_id is null or p_shop_id !~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' then
        raise exception 'shopId must be 1 to 64 letters, digits or _.:- , got %', quote_nullable(p_shop_id)
            using errcode = 'MM400', column = 'shopId';
    end if;
    perform public._require_money('amount', p_amount);
    if not public._has_visible_character(p_reference) or length(p_reference) > 128 then
        raise exception 'reference (the payment that bought the credits) is required, at most 128 characters'
            using errcode = 'MM400', column = 'reference';
    end if;
    if p_detail is not null and jsonb_typeof(p_detail) <> 'object' then
        raise exception 'detail must be a JSON object' using errcode = 'MM400', column = 'detail';
    end if;

    insert into public."Wallet" ("shopId") values (p_shop_id) on conflict do nothing;
    perform from public."Wallet" as w where w."shopId" = p_shop_id for update;

    -- The payment reference makes a retried top-up a no-op.
    insert into public."CreditTransaction" ("shopId", type, amount, reference, meta)
    values (p_shop_id, 'credit', p_amount, p_reference, coalesce(p_detail, '{}'))
    on conflict (reference) do nothing
    returning * into v_transaction;
    if not found then
        select * into v_transaction from public."CreditTransaction" as t where t.reference = p_reference;
        if v_transaction."shopId" <> p_shop_id or v_transaction.amount <> p_amount then
            raise exception 'reference % was already used: % credits to shop % (%)', p_reference,
                v_transaction.amount, v_transaction."shopId", v_transaction.id
                using errcode = 'MM409',
                hint = 'A retry must repeat the same shop and amount; a new payment needs a new reference.';
        end if;
        return v_transaction;
    end if;

    perform public._audit('credit_top_up', 'Wallet', p_shop_id, p_reference, null, to_jsonb(v_transaction));
    return v_transaction;
end;
$_$;


--
-- Name: FUNCTION credit_top_up(p_shop_id text, p_amount numeric, p_reference text, p_detail jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.credit_top_up(p_shop_id text, p_amount numeric, p_reference text, p_detail jsonb) IS 'Credits service: adds credits to a shop''s wallet (created on first top-up) as a credit transaction. p_reference is the payment that bought them: a retry with the same reference, shop and amount returns the first transaction and adds nothing.';


--
-- Name: cycle_adjust(uuid, integer, numeric, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.cycle_adjust(p_ikimina_id uuid, p_yyyymm integer, p_expected_amount numeric DEFAULT NULL::numeric, p_status text DEFAULT NULL::text, p_reason text DEFAULT NULL::text) RETURNS public.contribution_cycles
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_before public.contribution_cycles;
    v_after public.contribution_cycles;
    v_created boolean := false;
begin
    perform public._require_text(
        p_reason, 'a reason is required to adjust a contribution cycle', 'p_reason',
        'Pass p_reason => ''...'', e.g. ''group agreed 5000 per member from January''.'
    );
    if p_ikimina_id is null or p_yyyymm is null then
        raise exception 'a group id and a cycle month (yyyymm) are required' using errcode = 'MM400';
    end if;
    if p_yyyymm not between 200001 and 999912 or p_yyyymm % 100 not between 1 and 12 then
        raise exception 'cycle month % is not a month written yyyymm (e.g. 202501)', p_yyyymm
            using errcode = 'MM400', column = 'p_yyyymm';
    end if;
    if p_expected_amount is null and p_status is null then
        raise exception 'nothing to change: pass p_expected_amount and/or p_status'
            using errcode = 'MM400';
    end if;
    perform public._require_money('p_expected_amount', p_expected_amount, p_required => false, p_allow_zero => true);
    if p_status not in ('open', 'closed') then
        raise exception 'status must be open or closed, got %', p_status
            using errcode = 'MM400', column = 'p_status';
    end if;
    if not exists (select from public.ibimina where id = p_ikimina_id) then
        raise exception 'group % does not exist', p_ikimina_id
            using errcode = 'MM404', column = 'p_ikimina_id', hint = 'See select id, name from ibimina.';
    end if;

    -- A missing cycle is created (expected amounts can be set before the month's
    -- first payment); collected_amount stays the ledger trigger's alone.
    insert into public.contribution_cycles (ikimina_id, yyyymm)
    values (p_ikimina_id, p_yyyymm)
    on conflict (ikimina_id, yyyymm) do nothing
    returning true into v_created;
    select * into v_before from public.contribution_cycles
    where ikimina_id = p_ikimina_id and yyyymm = p_yyyymm
    for update;
    if v_before.expected_amount = coalesce(p_expected_amount, v_before.expected_amount)
        and v_before.status = coalesce(p_status, v_before.status)
        and not coalesce(v_created, false) then
        raise exception 'cycle % of group % already has expected amount % and status %: nothing changed',
            p_yyyymm, p_ikimina_id, v_before.expected_amount, v_before.status
            using errcode = 'MM409';
    end if;

    update public.contribution_cycles
    set expected_amount = coalesce(p_expected_amount, expected_amount),
        status = coalesce(p_status, status),
        updated_at = now()
    where ikimina_id = p_ikimina_id and yyyymm = p_yyyymm
    returning * into v_after;

    perform public._audit(
        'cycle_adjust', 'contribution_cycles', p_ikimina_id::text || ':' || p_yyyymm::text, p_reason,
        case when not coalesce(v_created, false) then to_jsonb(v_before) end,
        to_jsonb(v_after)
    );
    return v_after;
end;
$$;


--
-- Name: FUNCTION cycle_adjust(p_ikimina_id uuid, p_yyyymm integer, p_expected_amount numeric, p_status text, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.cycle_adjust(p_ikimina_id uuid, p_yyyymm integer, p_expected_amount numeric, p_status text, p_reason text) IS 'DBA: set a group''s monthly cycle expected amount and/or status (open, closed) with a reason, creating the cycle if the month has none yet. collected_amount is never touched (the ledger trigger owns it) and a closed cycle stays closed when late payments arrive. Audited.';


--
-- Name: ledger_reallocate(bigint, uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text) RETURNS public.contributions_ledger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_member_id uuid;
begin
    select l.member_id into v_member_id from public.contributions_ledger as l where l.id = p_ledger_id;
    if v_member_id = p_member_id then
        raise exception 'ledger entry % is already credited to member %', p_ledger_id, p_member_id
            using errcode = 'MM409', column = 'p_member_id', hint = 'Nothing to move.';
    end if;
    -- One transaction: the reversal and the new credit commit together or not at all.
    -- ledger_reverse locks the entry, so of two concurrent reallocations one waits
    -- and is then refused (already reversed).
    perform public.ledger_reverse(p_ledger_id, p_reason);
    return public.ledger_recredit(p_ledger_id, p_member_id, p_reason);
end;
$$;


--
-- Name: FUNCTION ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text) IS 'DBA: move a payment credited to the wrong member to the right one in one transaction: ledger_reverse() of the entry, then ledger_recredit() of the same payment to p_member_id. Returns the new entry; writes the two audit rows (ledger_reverse, ledger_recredit) with the reason.';


--
-- Name: ledger_recredit(bigint, uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text) RETURNS public.contributions_ledger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_original public.contributions_ledger;
    v_reversal public.contributions_ledger;
    v_later bigint;
    v_member public.ibimina_members;
    v_ikimina public.ibimina;
    v_credit public.contributions_ledger;
    v_cycle_before public.contribution_cycles;
    v_cycle_after public.contribution_cycles;
begin
    perform public._require_text(
        p_reason, 'a reason is required to credit a payment again', 'p_reason',
        'Say why, e.g. ''payer is Aline, not Jean, ticket 123''.'
    );
    perform public._require_argument(p_ledger_id is not null, 'a ledger entry id is required', 'p_ledger_id');
    perform public._require_argument(p_member_id is not null, 'a member id is required', 'p_member_id');

    v_original := public._ledger_entry_for_update(p_ledger_id);
    if v_original.source = 'correction' then
        raise exception 'ledger entry % is a correction (it reverses entry %)',
            p_ledger_id, v_original.reverses_id
            using errcode = 'MM409', column = 'p_ledger_id',
            hint = format('Pass the reversed entry instead: ledger_recredit(%s, ...).', v_original.reverses_id);
    end if;
    select * into v_reversal from public.contributions_ledger where reverses_id = p_ledger_id;
    if not found then
        raise exception 'ledger entry % still counts (it was never reversed)', p_ledger_id
            using errcode = 'MM409', column = 'p_ledger_id',
            hint = 'To move it to another member use ledger_reallocate(entry, member_id, reason).';
    end if;
    select c.id into v_later from public.contributions_ledger as c where c.recredits_id = v_reversal.id;
    if found then
        raise exception 'the payment of ledger entry % was already credited again as entry %',
            p_ledger_id, v_later
            using errcode = 'MM409', column = 'p_ledger_id',
            hint = format('Work on the newest entry: select * from contributions_ledger where id = %s.', v_later);
    end if;

    v_member := public._member_for_allocation(p_member_id);
    select * into v_ikimina from public.ibimina where id = v_member.ikimina_id;
    if v_ikimina.currency <> v_original.currency then
        raise exception 'ledger entry % is in % but group % keeps its ledger in %',
            p_ledger_id, v_original.currency, v_ikimina.name, v_ikimina.currency
            using errcode = 'MM422', column = 'p_member_id',
            hint = 'Only a member of a group in the payment''s currency can be credited with it.';
    end if;

    select * into v_cycle_before from public.contribution_cycles
    where ikimina_id = v_member.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    -- The next generation of the same payment. The foreign key from recredits_id to
    -- the reversal (same txn id, previous generation) and the unique (txn_id,
    -- txn_generation) refuse a second live credit whoever inserts it; the insert
    -- trigger adds the amount to the member's cycle.
    begin
        insert into public.contributions_ledger (
            ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, txn_generation,
            recredits_id, source, inbox_id, parsed_id, meta
        )
        values (
            v_member.ikimina_id, v_member.id, v_original.amount, v_original.currency,
            v_original.cycle_yyyymm, v_original.txn_id, v_original.txn_generation + 1,
            v_reversal.id, 'manual', v_original.inbox_id, v_original.parsed_id,
            jsonb_build_object(
                'recredits_id', v_reversal.id,
                'corrects_id', v_original.id,
                'inbox_id', v_original.inbox_id,
                'parsed_id', v_original.parsed_id,
                'reason', p_reason
            )
        )
        returning * into v_credit;
    exception when unique_violation then
        raise exception 'the payment of ledger entry % was credited again meanwhile', p_ledger_id
            using errcode = 'MM409',
            hint = 'Someone else corrected it at the same time: read the ledger, then decide.';
    end;

    select * into v_cycle_after from public.contribution_cycles
    where ikimina_id = v_member.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    perform public._audit(
        'ledger_recredit', 'contributions_ledger', p_ledger_id::text, p_reason,
        jsonb_build_object(
            'entry', to_jsonb(v_original), 'reversal', to_jsonb(v_reversal),
            'cycle', case when v_cycle_before.ikimina_id is not null then to_jsonb(v_cycle_before) end
        ),
        jsonb_build_object('credit', to_jsonb(v_credit), 'cycle', to_jsonb(v_cycle_after))
    );
    return v_credit;
end;
$$;


--
-- Name: FUNCTION ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text) IS 'DBA: credit a payment whose ledger entry was reversed (ledger_reverse) to an active member of a group in its currency: same amount, currency, cycle month, txn id and SMS, the next txn_generation, recredits_id = the reversal. Refuses an entry that still counts or was already credited again (MM409). Audited.';


--
-- Name: ledger_reverse(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_reverse(p_ledger_id bigint, p_reason text) RETURNS public.contributions_ledger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_original public.contributions_ledger;
    v_existing bigint;
    v_correction public.contributions_ledger;
    v_cycle_before public.contribution_cycles;
    v_cycle_after public.contribution_cycles;
begin
    perform public._require_text(
        p_reason, 'a reason is required to reverse a ledger entry', 'p_reason',
        'Say why, e.g. select ledger_reverse(42, ''allocated to the wrong member, ticket 123'').'
    );
    perform public._require_argument(p_ledger_id is not null, 'a ledger entry id is required', 'p_ledger_id');

    v_original := public._ledger_entry_for_update(p_ledger_id);
    if v_original.source = 'correction' then
        raise exception 'ledger entry % is itself a correction (it reverses entry %) and cannot be reversed',
            p_ledger_id, v_original.reverses_id
            using errcode = 'MM409',
            hint = 'A correction is final. If the original was right after all, credit the payment '
            'again with ledger_recredit(entry, member_id, reason).';
    end if;
    select c.id into v_existing from public.contributions_ledger as c where c.reverses_id = p_ledger_id;
    if found then
        raise exception 'ledger entry % was already reversed by entry %', p_ledger_id, v_existing
            using errcode = 'MM409', hint = 'Nothing to do: the entry no longer counts.';
    end if;

    select * into v_cycle_before from public.contribution_cycles
    where ikimina_id = v_original.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    -- The ledger's insert trigger subtracts the amount from the cycle in this transaction.
    insert into public.contributions_ledger (
        ikimina_id, member_id, amount, currency, cycle_yyyymm, source, reverses_id,
        reversed_txn_id, txn_generation, inbox_id, parsed_id, meta
    )
    values (
        v_original.ikimina_id, v_original.member_id, -v_original.amount, v_original.currency,
        v_original.cycle_yyyymm, 'correction', v_original.id,
        v_original.txn_id, v_original.txn_generation, v_original.inbox_id, v_original.parsed_id,
        jsonb_build_object(
            'reverses_id', v_original.id,
            'original_source', v_original.source,
            'original_txn_id', v_original.txn_id,
            'inbox_id', v_original.inbox_id,
            'parsed_id', v_original.parsed_id,
            'reason', p_reason
        )
    )
    returning * into v_correction;

    select * into v_cycle_after from public.contribution_cycles
    where ikimina_id = v_original.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    perform public._audit(
        'ledger_reverse', 'contributions_ledger', p_ledger_id::text, p_reason,
        jsonb_build_object(
            'entry', to_jsonb(v_original),
            'cycle', case when v_cycle_before.ikimina_id is not null then to_jsonb(v_cycle_before) end
        ),
        jsonb_build_object(
            'entry', to_jsonb(v_original), 'correction', to_jsonb(v_correction),
            'cycle', to_jsonb(v_cycle_after)
        )
    );
    return v_correction;
end;
$$;


--
-- Name: FUNCTION ledger_reverse(p_ledger_id bigint, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.ledger_reverse(p_ledger_id bigint, p_reason text) IS 'DBA: undo a ledger entry by appending its exact negation (source correction, reverses_id = the entry, reversed_txn_id and txn_generation = its payment); the cycle total drops in the same transaction. Refuses corrections and entries already reversed. Audited with the reason. The payment can then be credited again with ledger_recredit().';


--
-- Name: momo_allocate(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_allocate(p_limit integer DEFAULT NULL::integer) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
declare
    v_limit integer := coalesce(p_limit, _setting('MOMO_ALLOCATOR_BATCH_SIZE')::integer);
    v_ids bigint [];
    v_pause public.momo_allocator_control;
    v_summary momo_allocation_summary;
    v_message text;
    v_sqlstate text;
begin
    if v_limit < 1 or v_limit > 100000 then
        raise exception 'limit must be between 1 and 100000, got %', v_limit
            using errcode = 'MM400', column = 'limit';
    end if;
    -- Pause means stop: every caller (drain, assist, HTTP trigger, psql) is refused
    -- from the first batch after momo_allocator_pause() committed.
    v_pause := public._momo_allocator_paused();
    if v_pause.paused then
        raise exception 'the allocator is paused (since % by %: %)',
            v_pause.changed_at, v_pause.changed_by, v_pause.reason
            using errcode = 'MM409',
            hint = 'SMS wait in the inbox. When the incident is over: select momo_allocator_resume(reason).';
    end if;

    -- Claim: oldest first, skipping rows another allocator holds or that wait for a retry.
    select array_agg(q.id order by q.id) into v_ids
    from (
        select i.id
        from momo_sms_inbox as i
        where i.processed_at is null and (i.next_attempt_at is null or i.next_attempt_at <= now())
        order by i.id
        limit v_limit
        for update skip locked
    ) as q;

    if v_ids is null then
        v_summary := _momo_summary();
    else
        v_summary := _momo_allocate_isolating(v_ids);
        -- A fault of the whole system left every claimed row as it was: record it for the
        -- alert; a batch without one ends an open fault.
        perform _momo_allocator_record_fault(v_summary.fault);
    end if;
    -- Credits held for their balance chain: post those that link now, open cases
    -- for those that waited too long. Its failure is the allocator's, not a row's.
    begin
        perform _momo_balance_release();
    exception when others then
        get stacked diagnostics v_message = message_text, v_sqlstate = returned_sqlstate;
        -- A deadlock or lock timeout with another allocator session only means the
        -- holds wait for the next run (they are re-examined every run): not a fault.
        if v_sqlstate in ('40P01', '55P03') then
            return _momo_summary_jsonb(v_summary);
        end if;
        perform _momo_allocator_record_fault(jsonb_build_object(
            'sqlstate', v_sqlstate, 'message', left('releasing balance holds: ' || v_message, 400)
        ));
    end;
    return _momo_summary_jsonb(v_summary);
end;
$$;


--
-- Name: FUNCTION momo_allocate(p_limit integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_allocate(p_limit integer) IS 'Allocates up to p_limit unprocessed SMS (default MOMO_ALLOCATOR_BATCH_SIZE), oldest first, in the caller''s transaction: each is allocated, duplicate, skipped or an unmatched case exactly once, or held until its balance links; then re-examines the held credits. Returns {"processed","allocated","unmatched","duplicates","skipped","held","errors"}, and "fault" {"sqlstate","message"} when the whole batch failed for a reason that is not one SMS (then nothing was processed and no row was charged an attempt). Refused (MM409) while paused.';


--
-- Name: momo_allocator_assist(); Type: PROCEDURE; Schema: public; Owner: -
--

CREATE PROCEDURE public.momo_allocator_assist()
    LANGUAGE plpgsql
    AS $$
declare
    -- pg_cron starts both jobs in the same second, in either order.
    v_wait_until timestamptz := pg_catalog.clock_timestamp() + interval '5 seconds';
begin
    -- Only alongside a running drain: pausing momo-allocator stops this one too.
    while not public._momo_drain_running() loop
        if pg_catalog.clock_timestamp() >= v_wait_until then
            return;
        end if;
        perform pg_catalog.pg_sleep(0.1);
    end loop;
    call public._momo_allocator_batches(true);
end;
$$;


--
-- Name: PROCEDURE momo_allocator_assist(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON PROCEDURE public.momo_allocator_assist() IS 'What the momo-allocator-assist pg_cron job calls every minute: a second allocator session, so that a backlog is drained on two cores. It works like momo_allocator_drain(), but only while a drain is running (waiting up to 5 s for one to start), so pausing the momo-allocator job pauses it too. Parallel allocators are safe: claims skip locked rows.';


--
-- Name: momo_allocator_drain(); Type: PROCEDURE; Schema: public; Owner: -
--

CREATE PROCEDURE public.momo_allocator_drain()
    LANGUAGE plpgsql
    AS $$
declare
    -- Held (shared, for the session) while draining: momo_allocator_assist() works
    -- only while a drain runs. Released at the end, or when the session ends.
    v_lock constant bigint := pg_catalog.hashtextextended('momo_allocator_drain', 0);
begin
    perform pg_catalog.pg_advisory_lock_shared(v_lock);
    call public._momo_allocator_batches(false);
    perform pg_catalog.pg_advisory_unlock_shared(v_lock);
end;
$$;


--
-- Name: PROCEDURE momo_allocator_drain(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON PROCEDURE public.momo_allocator_drain() IS 'What the momo-allocator pg_cron job calls every minute: momo_allocate() batch after batch (MOMO_ALLOCATOR_DRAIN_BATCH_SIZE rows), each committed, until the queue is empty or MOMO_ALLOCATOR_TIME_BUDGET is spent.';


--
-- Name: momo_allocator_pause(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_allocator_pause(p_reason text) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select public._momo_allocator_set_active(false, p_reason);
$$;


--
-- Name: FUNCTION momo_allocator_pause(p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_allocator_pause(p_reason text) IS 'DBA: stop the pg_cron job momo-allocator from starting new runs (ingest keeps queueing SMS). A run already in progress finishes its batch. Refused when already paused; audited. Returns the job (jobid, jobname, schedule, command, active).';


--
-- Name: momo_allocator_resume(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_allocator_resume(p_reason text) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select public._momo_allocator_set_active(true, p_reason);
$$;


--
-- Name: FUNCTION momo_allocator_resume(p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_allocator_resume(p_reason text) IS 'DBA: let the pg_cron job momo-allocator run again (next minute); it drains the queued SMS. Refused when not paused; audited. Returns the job (jobid, jobname, schedule, command, active).';


--
-- Name: momo_parse_sms(text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone DEFAULT now()) RETURNS SETOF public.momo_parse_row
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    select (p.parse).*
    from _momo_parse_batch(
        array[p_raw_text], array[p_received_at],
        _setting('MOMO_TIMEZONE'), _setting('MOMO_DEFAULT_COUNTRY_CODE')
    ) as p;
$$;


--
-- Name: FUNCTION momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone) IS 'Reads one mobile-money SMS: direction (in/out/null), kind, amount, currency, txn id, time (SMS local time in MOMO_TIMEZONE, else p_received_at), counterparty name and number (E.164 only when complete; masked numbers give msisdn_suffix), the sender''s note, the account balance and fee it states, confidence 0..1 (balance and fee do not count) and the format and provider that matched. The gateway''s sender (the operator) is never taken for the payer.';


--
-- Name: momo_sms_ingest(text, text, text, text, jsonb, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_sms_ingest(p_message text, p_msisdn text DEFAULT NULL::text, p_received_at text DEFAULT NULL::text, p_ingest_source text DEFAULT NULL::text, p_metadata jsonb DEFAULT NULL::jsonb, p_receiving_account text DEFAULT NULL::text, p_gateway text DEFAULT NULL::text, p_gateway_message_id text DEFAULT NULL::text) RETURNS TABLE(inbox_id bigint, duplicate boolean)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    -- A batch of one: the checks and the dedupe live in momo_sms_ingest_batch.
    select b.inbox_id, b.duplicate
    from momo_sms_ingest_batch(array[row(
        p_message, p_msisdn, p_received_at, p_ingest_source, p_metadata, p_receiving_account,
        p_gateway, p_gateway_message_id
    )::momo_sms_delivery]) as b;
$$;


--
-- Name: FUNCTION momo_sms_ingest(p_message text, p_msisdn text, p_received_at text, p_ingest_source text, p_metadata jsonb, p_receiving_account text, p_gateway text, p_gateway_message_id text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_sms_ingest(p_message text, p_msisdn text, p_received_at text, p_ingest_source text, p_metadata jsonb, p_receiving_account text, p_gateway text, p_gateway_message_id text) IS 'Stores one SMS from the gateway exactly once (dedupe on sha256 of message|msisdn|receivedAt, and on the gateway''s own message id when it has one), with the account that received it. Returns the inbox id and whether it was a repeated delivery (whose duplicate_count it bumps). Invalid input raises MM400 naming the field (see momo_sms_ingest_batch, which does the work).';


--
-- Name: momo_sms_ingest_batch(public.momo_sms_delivery[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_sms_ingest_batch(p_deliveries public.momo_sms_delivery[]) RETURNS TABLE(ord integer, inbox_id bigint, duplicate boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_count integer := coalesce(cardinality(p_deliveries), 0);
    v_ords integer[];
    v_ids bigint[];
    v_repeat_ords integer[] := '{}'::integer[];
    v_repeat_ids bigint[] := '{}'::bigint[];
begin
    perform _momo_sms_ingest_validate(p_deliveries);

    if not exists (select from unnest(p_deliveries) as d where d.gateway_message_id is not null) then
        -- No gateway message id (the spec route, android-income): the content hash is the
        -- only key, one statement. Only the first of each hash in the batch is inserted,
        -- carrying the later repeats in its duplicate_count. Rows are inserted in hash
        -- order, so two batches racing on the same SMS wait for each other in the same
        -- order and cannot deadlock.
        return query
        with input as (
            select n.* from _momo_sms_ingest_rows(p_deliveries) as n
        ),

        firsts as (
            select distinct on (n.hash)
                n.*,
                count(*) over (partition by n.hash) - 1 as repeats
            from input as n
            order by n.hash, n.ord
        ),

        stored as (
            insert into momo_sms_inbox as i (
                hash, raw_text, msisdn_raw, received_at, ingest_source, metadata,
                receiving_account, gateway, duplicate_count, last_duplicate_at
            )
            select
                f.hash, f.raw_text, f.msisdn_raw, f.received_at, f.ingest_source, f.metadata,
                f.receiving_account, f.gateway, f.repeats, case when f.repeats > 0 then now() end
            from firsts as f
            order by f.hash
            on conflict (hash) do update
                set duplicate_count = i.duplicate_count + excluded.duplicate_count + 1,
                    last_duplicate_at = now()
            returning i.hash, i.id, i.xmax <> 0 as conflicted
        )

        select n.ord, s.id, s.conflicted or n.ord <> f.ord
        from input as n
        inner join stored as s on n.hash = s.hash
        inner join firsts as f on n.hash = f.hash
        order by n.ord;
        return;
    end if;

    -- With gateway message ids there are two keys: the content hash, and the gateway's
    -- own id (a redelivery may carry a new envelope or time). New SMS, the usual case,
    -- take one statement: the insert skips every delivery that conflicts on either key
    -- (an earlier row, an uncommitted one of another batch once it commits, or an
    -- earlier delivery of this batch). Rows are inserted in hash order, as above.
    with input as (
        select n.* from _momo_sms_ingest_rows(p_deliveries) as n
    ),

    stored as (
        insert into momo_sms_inbox as i (
            hash, raw_text, msisdn_raw, received_at, ingest_source, metadata,
            receiving_account, gateway, gateway_message_id
        )
        select
            n.hash, n.raw_text, n.msisdn_raw, n.received_at, n.ingest_source, n.metadata,
            n.receiving_account, n.gateway, n.gateway_message_id
        from input as n
        order by n.hash, n.ord
        on conflict do nothing
        returning i.id, i.hash, i.gateway_message_id
    )

    select
        coalesce(array_agg(n.ord order by n.ord), '{}'),
        coalesce(array_agg(s.id order by n.ord), '{}')
    into v_ords, v_ids
    from stored as s
    cross join lateral (
        select min(n.ord) as ord
        from input as n
        where n.hash = s.hash and n.gateway_message_id is not distinct from s.gateway_message_id
    ) as n;

    if cardinality(v_ords) < v_count then
        -- The others repeat a stored SMS: by id first, else by content. Count them on it.
        with repeats as (
            select
                n.ord,
                coalesce(
                    (
                        select i.id from momo_sms_inbox as i
                        where i.gateway = n.gateway and i.gateway_message_id = n.gateway_message_id
                    ),
                    (select i.id from momo_sms_inbox as i where i.hash = n.hash)
                ) as id
            from _momo_sms_ingest_rows(p_deliveries) as n
            where not (n.ord = any(v_ords))
        ),

        bumped as (
            update momo_sms_inbox as i
            set duplicate_count = i.duplicate_count + r.repeats,
                last_duplicate_at = now()
            from (select r.id, count(*) as repeats from repeats as r group by r.id) as r
            where i.id = r.id
        )

        select
            array_agg(r.ord order by r.ord),
            array_agg(r.id order by r.ord)
        into v_repeat_ords, v_repeat_ids
        from repeats as r;

        if array_position(v_repeat_ids, null) is not null then
            -- Cannot happen: what the insert skipped conflicts with a row it now sees.
            raise exception 'an SMS repeating a stored one was not found; the delivery may be retried'
                using errcode = 'MM409';
        end if;
    end if;

    return query
    select a.ord, a.inbox_id, a.duplicate
    from (
        select s.ord, s.inbox_id, false as duplicate
        from unnest(v_ords, v_ids) as s (ord, inbox_id)
        union all
        select r.ord, r.inbox_id, true as duplicate
        from unnest(v_repeat_ords, v_repeat_ids) as r (ord, inbox_id)
    ) as a
    order by a.ord;
exception when datetime_field_overflow or invalid_datetime_format
    or invalid_time_zone_displacement_value then
    -- Only on failure: find which receivedAt does not exist (e.g. 2025-02-30).
    for i in 1 .. v_count loop
        begin
            perform (p_deliveries[i]).received_at::timestamptz;
        exception when datetime_field_overflow or invalid_datetime_format
            or invalid_time_zone_displacement_value then
            raise exception 'receivedAt is not a valid date-time: %', (p_deliveries[i]).received_at
                || case when v_count > 1 then format(' (delivery %s of %s)', i, v_count) else '' end
                using errcode = 'MM400', column = 'receivedAt';
        end;
    end loop;
    raise;
end;
$$;


--
-- Name: FUNCTION momo_sms_ingest_batch(p_deliveries public.momo_sms_delivery[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_sms_ingest_batch(p_deliveries public.momo_sms_delivery[]) IS 'Stores several SMS deliveries in one transaction (group commit for the HTTP ingest). Delivery i of the array is answered as ord = i with its inbox id and whether it repeated an SMS already stored, also earlier in the same batch: by its hash (_momo_sms_hash: sha256 of message|msisdn|receivedAt), or by the gateway''s own message id (gateway + gateway message id). All or nothing: one invalid delivery raises MM400 naming it (_momo_sms_ingest_validate), and nothing of the call is stored.';


--
-- Name: momo_sms_inbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_sms_inbox (
    id bigint NOT NULL,
    hash text NOT NULL,
    raw_text text NOT NULL,
    msisdn_raw text,
    received_at timestamp with time zone NOT NULL,
    ingest_source text DEFAULT 'gateway'::text NOT NULL,
    metadata jsonb,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    duplicate_count integer DEFAULT 0 NOT NULL,
    last_duplicate_at timestamp with time zone,
    processed_at timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    next_attempt_at timestamp with time zone,
    outcome text,
    receiving_account text,
    gateway text,
    gateway_message_id text,
    CONSTRAINT momo_sms_inbox_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT momo_sms_inbox_duplicate_count_check CHECK ((duplicate_count >= 0)),
    CONSTRAINT momo_sms_inbox_gateway_check CHECK ((gateway ~ '^[a-z][a-z0-9-]{0,31}$'::text)),
    CONSTRAINT momo_sms_inbox_gateway_message_id_check CHECK (((gateway_message_id <> ''::text) AND (length(gateway_message_id) <= 200))),
    CONSTRAINT momo_sms_inbox_gateway_message_id_needs_gateway CHECK (((gateway_message_id IS NULL) OR (gateway IS NOT NULL))),
    CONSTRAINT momo_sms_inbox_hash_check CHECK ((hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT momo_sms_inbox_ingest_source_check CHECK (((ingest_source <> ''::text) AND (length(ingest_source) <= 64))),
    CONSTRAINT momo_sms_inbox_msisdn_raw_check CHECK ((length(msisdn_raw) <= 64)),
    CONSTRAINT momo_sms_inbox_outcome_check CHECK ((outcome = ANY (ARRAY['allocated'::text, 'unmatched'::text, 'duplicate'::text, 'skipped'::text, 'dead_letter'::text, 'held'::text]))),
    CONSTRAINT momo_sms_inbox_outcome_when_processed CHECK (((processed_at IS NULL) = (outcome IS NULL))),
    CONSTRAINT momo_sms_inbox_raw_text_check CHECK (((raw_text <> ''::text) AND (length(raw_text) <= 2000))),
    CONSTRAINT momo_sms_inbox_receiving_account_check CHECK (((receiving_account <> ''::text) AND (length(receiving_account) <= 128)))
);


--
-- Name: TABLE momo_sms_inbox; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_sms_inbox IS 'Every mobile-money SMS the gateway delivered, once (hash = sha256 of message|msisdn|receivedAt). processed_at null means it waits for the allocator; last_error says why the last attempt did not allocate; duplicate_count counts repeated deliveries.';


--
-- Name: COLUMN momo_sms_inbox.msisdn_raw; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_sms_inbox.msisdn_raw IS 'The SMS sender as the gateway saw it: for mobile-money notifications the operator (e.g. M-Money), never the payer.';


--
-- Name: COLUMN momo_sms_inbox.outcome; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_sms_inbox.outcome IS 'The allocator''s final decision once processed_at is set: allocated, unmatched (a case for a person), duplicate (txn id seen before), skipped (not money in from a person) or dead_letter (failed too many times). last_error holds the reason for every outcome but allocated.';


--
-- Name: COLUMN momo_sms_inbox.receiving_account; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_sms_inbox.receiving_account IS 'The collection phone that received the SMS, as its gateway identifies it: the receiving number in E.164 when the gateway posts one (httpsms owner, SMSSync sent_to, android-income "to"), else <gateway>:<device id>[/sim<N>] (sms-gate: sms-gate:<deviceId>/sim<simNumber>). Null when the gateway says nothing (the spec route); the allocator then uses ingest_source.';


--
-- Name: COLUMN momo_sms_inbox.gateway; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_sms_inbox.gateway IS 'The gateway route that delivered the SMS (sms-gate, httpsms, smssync, android-income, or webhook for Standard Webhooks on the spec route); null for the spec route''s own format.';


--
-- Name: COLUMN momo_sms_inbox.gateway_message_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_sms_inbox.gateway_message_id IS 'The gateway''s own id for the message (sms-gate payload.messageId, httpsms data.message_id, SMSSync message_id, Standard Webhooks webhook-id); unique per gateway, so a redelivery with a new envelope is a duplicate of the first row.';


--
-- Name: momo_sms_requeue(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.momo_sms_requeue(p_inbox_id bigint, p_reason text) RETURNS public.momo_sms_inbox
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_before public.momo_sms_inbox;
    v_after public.momo_sms_inbox;
    v_parsed public.momo_parsed_txns;
    v_case_before public.momo_unmatched;
    v_case_after public.momo_unmatched;
    v_ledger_id bigint;
    v_duplicate record;
begin
    perform public._require_text(
        p_reason, 'a reason is required to re-run an SMS', 'p_reason',
        'Say what was fixed, e.g. ''profile phone number corrected, ticket 123''.'
    );
    perform public._require_argument(p_inbox_id is not null, 'an inbox id is required', 'p_inbox_id');

    begin
        select * into v_before from public.momo_sms_inbox where id = p_inbox_id for update nowait;
    exception when lock_not_available then
        raise exception 'SMS % is locked by another session (the allocator or another correction)',
            p_inbox_id
            using errcode = 'MM409', hint = 'Try again in a minute, then check its outcome first.';
    end;
    if not found then
        raise exception 'SMS % does not exist', p_inbox_id
            using errcode = 'MM404', hint = 'See select id, outcome, last_error from momo_sms_inbox.';
    end if;
    if v_before.processed_at is null and v_before.last_error is null then
        raise exception 'SMS % is already waiting for the allocator', p_inbox_id
            using errcode = 'MM409', hint = 'Nothing to do: the next allocator run picks it up.';
    end if;

    if v_before.outcome = 'held' then
        raise exception 'SMS % is held until its balance links to its account''s history', p_inbox_id
            using errcode = 'MM409',
            hint = 'Every allocator run re-examines it (monitoring.balance_holds); after '
            'MOMO_BALANCE_CHECK_WAIT it becomes a balance_unverified case. Runbook: Balance gaps.';
    end if;

    select * into v_parsed from public.momo_parsed_txns where inbox_id = p_inbox_id;

    -- An allocated payment is corrected in the ledger, never re-run: a second run
    -- could allocate it again.
    select l.id into v_ledger_id
    from public.contributions_ledger as l
    where l.inbox_id = p_inbox_id or (v_parsed.id is not null and l.parsed_id = v_parsed.id)
    order by l.id
    limit 1;
    if found then
        raise exception 'SMS % cannot be re-run: ledger entry % references it', p_inbox_id, v_ledger_id
            using errcode = 'MM409',
            hint = 'Its payment is in the ledger; re-running could count it twice. If the allocation '
            'is wrong, move it with ledger_reallocate(entry, member_id, reason); a reversed entry is '
            'credited again with ledger_recredit(entry, member_id, reason).';
    end if;

    if v_parsed.id is not null then
        select p.id, p.inbox_id into v_duplicate
        from public.momo_parsed_txns as p
        where p.duplicate_of = v_parsed.id
        order by p.id
        limit 1;
        if found then
            raise exception 'SMS % cannot be re-run: SMS % was recorded as a duplicate of its transaction',
                p_inbox_id, v_duplicate.inbox_id
                using errcode = 'MM409',
                hint = 'Resolve its unmatched case with unmatched_resolve(case_id, note, member_id) instead.';
        end if;
    end if;

    select * into v_case_before from public.momo_unmatched
    where inbox_id = p_inbox_id and status = 'open'
    for update;
    if found then
        update public.momo_unmatched
        set status = 'resolved',
            resolved_at = now(),
            resolved_by = session_user,
            resolution = 'requeued',
            resolution_note = p_reason
        where id = v_case_before.id
        returning * into v_case_after;
    end if;

    -- Work state of the run that is undone: its released balance hold and its parse.
    delete from public.momo_balance_holds where inbox_id = p_inbox_id;
    if v_parsed.id is not null then
        delete from public.momo_parsed_txns where id = v_parsed.id;
    end if;

    update public.momo_sms_inbox
    set processed_at = null,
        outcome = null,
        last_error = null,
        attempts = 0,
        next_attempt_at = null
    where id = p_inbox_id
    returning * into v_after;

    perform public._audit(
        'momo_sms_requeue', 'momo_sms_inbox', p_inbox_id::text, p_reason,
        jsonb_build_object(
            'inbox', to_jsonb(v_before),
            'parsed', case when v_parsed.id is not null then to_jsonb(v_parsed) end,
            'case', case when v_case_before.id is not null then to_jsonb(v_case_before) end
        ),
        jsonb_build_object(
            'inbox', to_jsonb(v_after),
            'case', case when v_case_after.id is not null then to_jsonb(v_case_after) end
        )
    );
    return v_after;
end;
$$;


--
-- Name: FUNCTION momo_sms_requeue(p_inbox_id bigint, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.momo_sms_requeue(p_inbox_id bigint, p_reason text) IS 'DBA: re-run the allocator on one SMS after fixing its cause (e.g. a profile''s phone number). Clears processed_at, outcome, last_error, attempts and next_attempt_at, deletes its parsed row (kept in the audit row''s before image) and resolves its open case as requeued. Refused when a ledger entry references the SMS. Audited.';


--
-- Name: remembered_payer_forget(bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.remembered_payer_forget(p_id bigint, p_reason text) RETURNS public.remembered_payers
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_row public.remembered_payers;
begin
    perform public._require_text(
        p_reason, 'a reason is required', 'p_reason',
        'Say why, e.g. ''the member''s son no longer pays for her''.'
    );
    perform public._require_argument(p_id is not null, 'a remembered payer id is required', 'p_id');
    delete from public.remembered_payers where id = p_id returning * into v_row;
    if not found then
        raise exception 'remembered payer % does not exist', p_id
            using errcode = 'MM404', column = 'p_id', hint = 'select * from remembered_payers_list.';
    end if;
    perform public._audit(
        'remembered_payer_forget', 'remembered_payers', p_id::text, p_reason, to_jsonb(v_row), null
    );
    return v_row;
end;
$$;


--
-- Name: FUNCTION remembered_payer_forget(p_id bigint, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.remembered_payer_forget(p_id bigint, p_reason text) IS 'DBA: forget remembered payer p_id: its later SMS are cases again (or resolve by name and digits if the payer is a member). Audited.';


--
-- Name: app_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.app_settings (
    key text NOT NULL,
    value text NOT NULL,
    default_value text NOT NULL,
    value_type text NOT NULL,
    description text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT SESSION_USER NOT NULL,
    CONSTRAINT app_settings_amount_money CHECK (((value_type <> 'amount'::text) OR ((value ~ '^[0-9]{1,16}(\.[0-9]{1,2})?$'::text) AND (value !~ '^0+(\.0*)?$'::text)))),
    CONSTRAINT app_settings_balance_check_mode CHECK (((key <> 'MOMO_BALANCE_CHECK'::text) OR (value = ANY (ARRAY['hold'::text, 'flag'::text, 'off'::text])))),
    CONSTRAINT app_settings_balance_time_window_range CHECK (
CASE
    WHEN (key = 'MOMO_BALANCE_TIME_WINDOW'::text) THEN (((value)::interval >= '00:00:01'::interval) AND ((value)::interval <= '1 day'::interval))
    ELSE true
END),
    CONSTRAINT app_settings_key_check CHECK ((key ~ '^[A-Z][A-Z0-9_]*$'::text)),
    CONSTRAINT app_settings_max_amount_range CHECK (
CASE
    WHEN (key = 'MOMO_ALLOCATOR_MAX_AMOUNT'::text) THEN (((value)::numeric >= (1)::numeric) AND ((value)::numeric <= ('1000000000000'::bigint)::numeric))
    ELSE true
END),
    CONSTRAINT app_settings_value_type_check CHECK ((value_type = ANY (ARRAY['integer'::text, 'numeric'::text, 'amount'::text, 'boolean'::text, 'text'::text, 'timezone'::text, 'interval'::text])))
);


--
-- Name: TABLE app_settings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.app_settings IS 'Runtime settings read by the database code (pg_cron runs here, not in Flask). Change one with select setting_set(key, value, reason); each change is audited.';


--
-- Name: setting_set(text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.setting_set(p_key text, p_value text, p_reason text) RETURNS public.app_settings
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_before app_settings;
    v_after app_settings;
begin
    perform public._require_text(
        p_reason, format('a reason is required to change setting %s', p_key), 'p_reason'
    );
    select * into v_before from app_settings where key = p_key for update;
    if not found then
        raise exception 'unknown setting %', p_key
            using errcode = 'MM404', hint = 'See select key, value, description from app_settings.';
    end if;
    update app_settings set value = p_value where key = p_key returning * into v_after;
    perform _audit('setting_set', 'app_settings', p_key, p_reason,
        to_jsonb(v_before), to_jsonb(v_after));
    return v_after;
end;
$$;


--
-- Name: FUNCTION setting_set(p_key text, p_value text, p_reason text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.setting_set(p_key text, p_value text, p_reason text) IS 'DBA: change one runtime setting (validated against its type) with a reason; audited.';


--
-- Name: unmatched_resolve(bigint, text, uuid, numeric, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.unmatched_resolve(p_case_id bigint, p_note text, p_member_id uuid DEFAULT NULL::uuid, p_amount numeric DEFAULT NULL::numeric, p_remember_payer boolean DEFAULT false) RETURNS public.momo_unmatched
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
declare
    v_case public.momo_unmatched;
    v_after public.momo_unmatched;
    v_inbox public.momo_sms_inbox;
    v_parsed public.momo_parsed_txns;
    v_member public.ibimina_members;
    v_ikimina public.ibimina;
    v_ledger public.contributions_ledger;
    v_cycle_before public.contribution_cycles;
    v_cycle_after public.contribution_cycles;
    v_amount numeric;
    v_currency text;
    v_yyyymm integer;
    v_other bigint;
    v_other_reversed bigint;
    v_parse_error text;
    v_account_group uuid;
    v_remembered public.remembered_payers;
begin
    perform public._require_text(
        p_note, 'a note is required to resolve an unmatched case', 'p_note',
        'Say what you found, e.g. ''payer is member M-12, confirmed by phone''.'
    );
    perform public._require_argument(p_case_id is not null, 'a case id is required', 'p_case_id');
    if p_amount is not null and p_member_id is null then
        raise exception 'an amount only makes sense with a member to allocate it to'
            using errcode = 'MM400', column = 'p_amount';
    end if;
    if p_remember_payer and p_member_id is null then
        raise exception 'a payer can only be remembered for a member: pass p_member_id'
            using errcode = 'MM400', column = 'p_remember_payer';
    end if;
    perform public._require_money('p_amount', p_amount, p_required => false);

    -- Lock order inbox row, then case (as momo_sms_requeue) so the two never deadlock.
    select * into v_case from public.momo_unmatched where id = p_case_id;
    if not found then
        raise exception 'unmatched case % does not exist', p_case_id
            using errcode = 'MM404', hint = 'See select * from momo_unmatched where status = ''open''.';
    end if;
    begin
        select * into v_inbox from public.momo_sms_inbox where id = v_case.inbox_id for update nowait;
    exception when lock_not_available then
        raise exception 'SMS % of case % is locked by another session (the allocator or another correction)',
            v_case.inbox_id, p_case_id
            using errcode = 'MM409', hint = 'Try again in a minute, then check the case first.';
    end;
    select * into v_case from public.momo_unmatched where id = p_case_id for update;
    if v_case.status <> 'open' then
        raise exception 'unmatched case % was already resolved (%) by % at %',
            p_case_id, v_case.resolution, v_case.resolved_by, v_case.resolved_at
            using errcode = 'MM409', hint = 'A case is resolved once; see its resolution_note.';
    end if;

    if p_member_id is not null then
        v_member := public._member_for_allocation(p_member_id);
        select * into v_ikimina from public.ibimina where id = v_member.ikimina_id;
        if v_case.parsed_id is not null then
            select * into v_parsed from public.momo_parsed_txns where id = v_case.parsed_id;
            -- A parse that did not claim its txn id (a duplicate, say) keeps it in
            -- parsed_json: it still names the payment.
            v_parsed.txn_id := coalesce(v_parsed.txn_id, nullif(v_parsed.parsed_json ->> 'txn_id', ''));
        else
            -- No parse stored (a dead letter): read the SMS now, so that its transaction
            -- id goes into the ledger and no other copy of the payment can be credited.
            begin
                -- The amount and currency only from a known format; a transaction id even
                -- when guessed (a duplicate refused is safer than a payment counted twice).
                select
                    case when p.format is not null then p.amount end,
                    case when p.format is not null then p.currency end,
                    p.txn_id, p.txn_ts
                into v_parsed.amount, v_parsed.currency, v_parsed.txn_id, v_parsed.txn_ts
                from public.momo_parse_sms(v_inbox.raw_text, v_inbox.received_at) as p;
            exception when others then
                get stacked diagnostics v_parse_error = message_text;
                raise exception 'SMS % cannot be read (%), so its transaction id is unknown', v_inbox.id,
                    v_parse_error
                    using errcode = 'MM422', column = 'p_case_id',
                    hint = 'Fix the cause and re-run it with momo_sms_requeue(), or dismiss the case '
                    '(no member) and settle the payment outside the ledger.';
            end;
        end if;

        -- An SMS received on a group's collection account credits that group only.
        select a.ikimina_id into v_account_group
        from public.collection_accounts as a
        where a.account = coalesce(v_parsed.account, v_inbox.receiving_account, v_inbox.ingest_source);
        if v_account_group is not null and v_account_group <> v_member.ikimina_id then
            raise exception 'SMS % was received on account % of group %, and member % is not of that group',
                v_inbox.id, coalesce(v_parsed.account, v_inbox.receiving_account, v_inbox.ingest_source),
                v_account_group, v_member.id
                using errcode = 'MM422', column = 'p_member_id',
                hint = 'Pick a member of that group (see the case''s candidates), or dismiss the case.';
        end if;
        if p_remember_payer then
            v_remembered := public._remembered_payer_add(v_case, v_parsed, v_account_group, v_member);
        end if;

        v_amount := coalesce(v_parsed.amount, p_amount);
        if v_amount is null then
            raise exception 'the amount of SMS % is unknown (the parser could not read it)', v_inbox.id
                using errcode = 'MM422', column = 'p_amount',
                hint = 'Read the SMS (select raw_text from momo_sms_inbox where id = ...) and pass p_amount.';
        end if;
        if p_amount is not null and v_parsed.amount is not null and p_amount <> v_parsed.amount then
            raise exception 'SMS % is for %, not %: the parsed amount cannot be overridden',
                v_inbox.id, v_parsed.amount, p_amount
                using errcode = 'MM400', column = 'p_amount', hint = 'Leave p_amount out.';
        end if;
        v_currency := coalesce(v_parsed.currency, v_ikimina.currency);
        if v_currency <> v_ikimina.currency then
            raise exception 'SMS % is in % but group % keeps its ledger in %',
                v_inbox.id, v_currency, v_ikimina.name, v_ikimina.currency
                using errcode = 'MM422', column = 'p_member_id',
                hint = 'Dismiss the case (no member) and settle it outside the ledger.';
        end if;

        -- One payment, one allocation: the SMS itself, or its transaction id, must not
        -- be in the ledger already (the unique txn_id is the last guard).
        -- The live entry first, so that the refusal names what holds the payment now.
        select l.id, r.id into v_other, v_other_reversed
        from public.contributions_ledger as l
        left join public.contributions_ledger as r on r.reverses_id = l.id
        where l.source <> 'correction'
            and (
                l.inbox_id = v_inbox.id
                or (v_parsed.txn_id is not null and l.txn_id = v_parsed.txn_id)
            )
        order by r.id is not null, l.id desc
        limit 1;
        if found then
            raise exception using
                errcode = 'MM409',
                message = format(
                    'the payment of SMS %s is already in the ledger as entry %s%s', v_inbox.id, v_other,
                    case when v_other_reversed is not null then
                        format(' (reversed by entry %s)', v_other_reversed) else '' end
                ),
                hint = case
                    when v_other_reversed is not null then format(
                        'Entry %s was reversed: to credit the payment again use ledger_recredit(%s, '
                        'member_id, reason); then dismiss this case with a note.', v_other, v_other
                    )
                    else 'Allocating it again would count it twice. If that entry has the wrong member, '
                    'use ledger_reallocate(entry, member_id, reason); then dismiss this case with a note.'
                end;
        end if;

        v_yyyymm := to_char(
            coalesce(v_parsed.txn_ts, v_inbox.received_at) at time zone public._setting('MOMO_TIMEZONE'),
            'YYYYMM'
        )::integer;
        select * into v_cycle_before from public.contribution_cycles
        where ikimina_id = v_member.ikimina_id and yyyymm = v_yyyymm;

        begin
            insert into public.contributions_ledger (
                ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, source,
                inbox_id, parsed_id, meta
            )
            values (
                v_member.ikimina_id, v_member.id, v_amount, v_currency, v_yyyymm, v_parsed.txn_id, 'manual',
                v_inbox.id, v_parsed.id,
                jsonb_build_object(
                    'inbox_id', v_inbox.id, 'parsed_id', v_parsed.id, 'case_id', v_case.id,
                    'note', p_note
                )
            )
            returning * into v_ledger;
        exception when unique_violation then
            raise exception 'transaction % is already in the ledger', v_parsed.txn_id
                using errcode = 'MM409',
                hint = 'Allocating it again would count it twice. Dismiss the case with a note instead.';
        end;

        select * into v_cycle_after from public.contribution_cycles
        where ikimina_id = v_member.ikimina_id and yyyymm = v_yyyymm;
    end if;

    update public.momo_unmatched
    set status = 'resolved',
        resolved_at = now(),
        resolved_by = session_user,
        resolution = case when v_ledger.id is null then 'dismissed' else 'allocated' end,
        resolution_note = p_note,
        ledger_id = v_ledger.id
    where id = p_case_id
    returning * into v_after;

    perform public._audit(
        'unmatched_resolve', 'momo_unmatched', p_case_id::text, p_note,
        jsonb_build_object(
            'case', to_jsonb(v_case),
            'cycle', case when v_cycle_before.ikimina_id is not null then to_jsonb(v_cycle_before) end
        ),
        jsonb_build_object(
            'case', to_jsonb(v_after),
            'ledger_entry', case when v_ledger.id is not null then to_jsonb(v_ledger) end,
            'remembered_payer', case when v_remembered.id is not null then to_jsonb(v_remembered) end,
            'cycle', case when v_cycle_after.ikimina_id is not null then to_jsonb(v_cycle_after) end
        )
    );
    return v_after;
end;
$$;


--
-- Name: FUNCTION unmatched_resolve(p_case_id bigint, p_note text, p_member_id uuid, p_amount numeric, p_remember_payer boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.unmatched_resolve(p_case_id bigint, p_note text, p_member_id uuid, p_amount numeric, p_remember_payer boolean) IS 'DBA: close an open momo_unmatched case with a note. With p_member_id (an active membership) the payment is allocated to that member as a manual ledger entry (same txn id, so never twice; a case without a stored parse, a dead letter, is parsed now for it) and the case records the ledger id; refused (MM409, naming the entry) when the payment is already in the ledger. Without a member the case is dismissed. p_amount only when the SMS amount could not be parsed. An SMS received on a collection account is only credited to a member of its group (MM422). p_remember_payer: also remember the payer as the SMS states it for that group (remembered_payers), so its later SMS allocate by themselves. Audited.';


--
-- Name: accounts_without_group; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.accounts_without_group AS
 SELECT p.account,
    count(*) AS credits,
    sum(l.amount) AS amount,
    min(l.allocated_at) AS first_credit_at,
    max(l.allocated_at) AS last_credit_at
   FROM (public.contributions_ledger l
     JOIN public.momo_parsed_txns p ON ((l.parsed_id = p.id)))
  WHERE ((l.source = 'sms'::text) AND (NOT (EXISTS ( SELECT
           FROM public.collection_accounts a
          WHERE (a.account = p.account)))))
  GROUP BY p.account
  ORDER BY (max(l.allocated_at)) DESC;


--
-- Name: VIEW accounts_without_group; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.accounts_without_group IS 'Receiving accounts whose SMS were credited by the allocator although the account collects for no group (collection_accounts): their payers were resolved by full number or member code across all groups. account: as stored on the parse (null: none). credits, amount: how many and their sum; first_credit_at, last_credit_at. Fix with collection_account_add().';


--
-- Name: Wallet; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."Wallet" (
    "shopId" text NOT NULL,
    balance numeric DEFAULT 0.00 NOT NULL,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL,
    "updatedAt" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT "Wallet_shopId_check" CHECK (("shopId" ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'::text)),
    CONSTRAINT wallet_balance_money CHECK (((balance <> 'NaN'::numeric) AND (balance > '-10000000000000000'::numeric) AND (balance < '10000000000000000'::numeric) AND (balance = round(balance, 2))))
);


--
-- Name: TABLE "Wallet"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public."Wallet" IS 'A shop''s SMS credits. balance is what the shop owns: it changes only by posting a "CreditTransaction" (credit_top_up, credit_consume), so it always equals credits minus debits. Available credit is balance minus the shop''s active reservations (monitoring.wallet_reconciliation).';


--
-- Name: COLUMN "Wallet".balance; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public."Wallet".balance IS 'Credits the shop owns: credits minus debits. Negative only when a late charge (a campaign that finished after its reservation was released or expired) overdrew it: alert credit_wallets_overdrawn.';


--
-- Name: momo_allocator_faults; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_allocator_faults (
    id bigint NOT NULL,
    sqlstate text NOT NULL,
    message text NOT NULL,
    first_at timestamp with time zone DEFAULT now() NOT NULL,
    last_at timestamp with time zone DEFAULT now() NOT NULL,
    occurrences integer DEFAULT 1 NOT NULL,
    cleared_at timestamp with time zone,
    CONSTRAINT momo_allocator_faults_check CHECK (((last_at >= first_at) AND ((cleared_at IS NULL) OR (cleared_at >= last_at)))),
    CONSTRAINT momo_allocator_faults_occurrences_check CHECK ((occurrences >= 1)),
    CONSTRAINT momo_allocator_faults_sqlstate_check CHECK ((sqlstate ~ '^[0-9A-Z]{5}$'::text))
);


--
-- Name: TABLE momo_allocator_faults; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_allocator_faults IS 'Periods in which the allocator failed as a whole (an error that says nothing about one SMS): sqlstate and message of the latest failure, first and last time, how many batches failed. cleared_at is set by the next batch that runs without such an error. At most one open row.';


--
-- Name: alerts; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.alerts AS
 WITH thresholds AS (
         SELECT (max(s.value) FILTER (WHERE (s.key = 'MOMO_ALERT_INBOX_UNPROCESSED_ROWS'::text)))::bigint AS inbox_rows,
            max(s.value) FILTER (WHERE (s.key = 'MOMO_ALERT_INBOX_UNPROCESSED_FOR'::text)) AS inbox_for_text,
            (max(s.value) FILTER (WHERE (s.key = 'MOMO_ALERT_INBOX_UNPROCESSED_FOR'::text)))::interval AS inbox_for,
            (max(s.value) FILTER (WHERE (s.key = 'MOMO_ALERT_UNMATCHED_OPEN_CASES'::text)))::bigint AS open_cases,
            max(s.value) FILTER (WHERE (s.key = 'MOMO_ALERT_UNMATCHED_CASE_AGE'::text)) AS case_age_text,
            (max(s.value) FILTER (WHERE (s.key = 'MOMO_ALERT_UNMATCHED_CASE_AGE'::text)))::interval AS case_age
           FROM public.app_settings s
        ), live AS (
         SELECT ( SELECT count(*) AS count
                   FROM public.momo_sms_inbox
                  WHERE (momo_sms_inbox.processed_at IS NULL)) AS inbox_unprocessed,
            ( SELECT count(*) AS count
                   FROM public.momo_unmatched
                  WHERE (momo_unmatched.status = 'open'::text)) AS unmatched_open,
            ( SELECT min(momo_unmatched.created_at) AS min
                   FROM public.momo_unmatched
                  WHERE (momo_unmatched.status = 'open'::text)) AS unmatched_oldest_at,
            ( SELECT max(queue_samples.sampled_at) AS max
                   FROM monitoring.queue_samples) AS last_sample_at
        ), breach AS (
         SELECT min(q.sampled_at) AS since
           FROM (monitoring.queue_samples q
             CROSS JOIN thresholds t)
          WHERE (q.sampled_at > COALESCE(( SELECT max(ok.sampled_at) AS max
                   FROM monitoring.queue_samples ok
                  WHERE (ok.inbox_unprocessed <= t.inbox_rows)), '-infinity'::timestamp with time zone))
        )
 SELECT 'inbox_backlog'::text AS alert,
    COALESCE(((l.inbox_unprocessed > t.inbox_rows) AND (b.since < (now() - t.inbox_for))), false) AS firing,
    l.inbox_unprocessed AS current_value,
    t.inbox_rows AS threshold,
    'rows'::text AS unit,
        CASE
            WHEN (l.inbox_unprocessed > t.inbox_rows) THEN b.since
            ELSE NULL::timestamp with time zone
        END AS since,
    format('momo_sms_inbox unprocessed > %s rows for more than %s'::text, t.inbox_rows, t.inbox_for_text) AS rule,
    'Investigate ingest and allocation: monitoring.allocator_status (paused? failing?), monitoring.cron_jobs, monitoring.inbox_errors. Runbook: Queue backlog.'::text AS action,
        CASE
            WHEN (l.last_sample_at IS NULL) THEN 'no queue sample yet: is the pg_cron job monitoring-queue-sample active?'::text
            WHEN (l.last_sample_at < (now() - '00:03:00'::interval)) THEN format('queue sampling stopped at %s: is the pg_cron job monitoring-queue-sample active?'::text, l.last_sample_at)
            ELSE NULL::text
        END AS note
   FROM ((live l
     CROSS JOIN thresholds t)
     CROSS JOIN breach b)
UNION ALL
 SELECT 'unmatched_open_cases'::text AS alert,
    (l.unmatched_open > t.open_cases) AS firing,
    l.unmatched_open AS current_value,
    t.open_cases AS threshold,
    'cases'::text AS unit,
    NULL::timestamp with time zone AS since,
    format('momo_unmatched open cases > %s'::text, t.open_cases) AS rule,
    'Escalate to the reconciliation workflow: work monitoring.unmatched_open with unmatched_resolve(). Runbook: Unmatched cases.'::text AS action,
    NULL::text AS note
   FROM (live l
     CROSS JOIN thresholds t)
UNION ALL
 SELECT 'unmatched_case_age'::text AS alert,
    COALESCE((l.unmatched_oldest_at < (now() - t.case_age)), false) AS firing,
    COALESCE((EXTRACT(epoch FROM (now() - l.unmatched_oldest_at)))::bigint, (0)::bigint) AS current_value,
    (EXTRACT(epoch FROM t.case_age))::bigint AS threshold,
    'seconds'::text AS unit,
        CASE
            WHEN (l.unmatched_oldest_at < (now() - t.case_age)) THEN (l.unmatched_oldest_at + t.case_age)
            ELSE NULL::timestamp with time zone
        END AS since,
    format('any momo_unmatched open case older than %s'::text, t.case_age_text) AS rule,
    'Escalate to the reconciliation workflow: work monitoring.unmatched_open (oldest first) with unmatched_resolve(). Runbook: Unmatched cases.'::text AS action,
    NULL::text AS note
   FROM (live l
     CROSS JOIN thresholds t)
UNION ALL
 SELECT 'balance_gap'::text AS alert,
    (g.gaps > 0) AS firing,
    g.gaps AS current_value,
    0 AS threshold,
    'gaps'::text AS unit,
    g.since,
    'a break in an account''s balance chain (monitoring.balance_gaps)'::text AS rule,
    'The gateway may have dropped an SMS: check the phone''s MoMo statement between the times in monitoring.balance_gaps; have the gateway resend the missing SMS, or confirm an anchor (balance_anchor_confirm). Runbook: Balance gaps.'::text AS action,
    NULL::text AS note
   FROM ( SELECT count(*) AS gaps,
            min(b.after_txn_ts) AS since
           FROM public._momo_balance_gaps(( SELECT (s.value)::interval AS value
                   FROM public.app_settings s
                  WHERE (s.key = 'MOMO_BALANCE_GAPS_LOOKBACK'::text))) b(account, before_inbox_id, after_inbox_id, before_txn_ts, after_txn_ts, balance_after_before, balance_before_after, explained_between, missing_amount)) g
UNION ALL
 SELECT 'suspected_forgery'::text AS alert,
    (f.cases > 0) AS firing,
    f.cases AS current_value,
    0 AS threshold,
    'cases'::text AS unit,
    f.since,
    'an open case for an SMS that could not be shown genuine (monitoring.suspected_forgeries)'::text AS rule,
    'Compare the SMS with the collection phone''s own inbox and the operator statement before crediting anyone. Runbook: Suspected forgeries.'::text AS action,
    NULL::text AS note
   FROM ( SELECT count(*) AS cases,
            min(c.created_at) AS since
           FROM public.momo_unmatched c
          WHERE ((c.status = 'open'::text) AND (c.reason = ANY (ARRAY['sender_not_operator'::text, 'sender_unknown'::text, 'balance_unverified'::text, 'txn_id_conflict'::text, 'sms_time_mismatch'::text])))) f
UNION ALL
 SELECT 'allocator_failing'::text AS alert,
    (count(*) > 0) AS firing,
    (COALESCE(max(f.occurrences), 0))::bigint AS current_value,
    (0)::bigint AS threshold,
    'batches'::text AS unit,
    min(f.first_at) AS since,
    'the allocator failed as a whole (an error of the system, not of one SMS) and has not recovered'::text AS rule,
    'Read the error, fix the system (locks, disk, privileges, a bad deploy); batches retry every minute and every SMS allocates once it is gone. Runbook: Allocator failing as a whole.'::text AS action,
    max(format('allocator failing as a whole: %s %s (last at %s)'::text, f.sqlstate, f.message, f.last_at)) AS note
   FROM public.momo_allocator_faults f
  WHERE (f.cleared_at IS NULL)
UNION ALL
 SELECT 'credit_wallets_overdrawn'::text AS alert,
    (count(*) > 0) AS firing,
    count(*) AS current_value,
    (0)::bigint AS threshold,
    'wallets'::text AS unit,
    NULL::timestamp with time zone AS since,
    'any "Wallet".balance below zero (a late charge overdrew it)'::text AS rule,
    'Finance: read the late charges ("CreditTransaction"."lateCharge"), agree the payment with the shop and record it with credit_top_up(). Runbook: Campaign charged after its reservation.'::text AS action,
        CASE
            WHEN (count(*) > 0) THEN ('overdrawn: '::text || string_agg(format('%s (%s)'::text, w."shopId", w.balance), ', '::text ORDER BY w."shopId"))
            ELSE NULL::text
        END AS note
   FROM public."Wallet" w
  WHERE (w.balance < (0)::numeric)
UNION ALL
 SELECT 'account_without_group'::text AS alert,
    (count(*) > 0) AS firing,
    count(*) AS current_value,
    (0)::bigint AS threshold,
    'accounts'::text AS unit,
    NULL::timestamp with time zone AS since,
    'an account whose SMS were credited in the last 30 days collects for no group, while others do (monitoring.accounts_without_group)'::text AS rule,
    'Tie the account to its group with collection_account_add(group, account, reason); check the credits it received went to that group''s members. Runbook: Recognising a payer.'::text AS action,
        CASE
            WHEN (count(*) > 0) THEN ('accounts: '::text || string_agg(COALESCE(a.account, '(none)'::text), ', '::text ORDER BY a.account))
            ELSE NULL::text
        END AS note
   FROM monitoring.accounts_without_group a
  WHERE ((a.last_credit_at > (now() - '30 days'::interval)) AND (EXISTS ( SELECT
           FROM public.collection_accounts)));


--
-- Name: VIEW alerts; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.alerts IS 'The allocation runbook''s pilot alerts, one row each, with thresholds from app_settings (MOMO_ALERT_*). alert: inbox_backlog (unprocessed SMS above MOMO_ALERT_INBOX_UNPROCESSED_ROWS for longer than MOMO_ALERT_INBOX_UNPROCESSED_FOR, judged from the per-minute samples in monitoring.queue_samples), unmatched_open_cases (open cases above MOMO_ALERT_UNMATCHED_OPEN_CASES) or unmatched_case_age (an open case older than MOMO_ALERT_UNMATCHED_CASE_AGE), balance_gap (a break in an account''s verified balance history: money no SMS explains), suspected_forgery (an open sender_not_operator, sender_unknown, balance_unverified, sms_time_mismatch or txn_id_conflict case), allocator_failing (momo_allocator_faults has an open fault; note names the error), account_without_group (an account credited in the last 30 days collects for no group while collection_accounts has rows: monitoring.accounts_without_group; note names them) and credit_wallets_overdrawn (a wallet balance below zero after a late charge; note names them). firing: true when the alert holds now. current_value and threshold: the measured number and its limit, in unit (rows, cases, seconds). since: when the condition started to hold (null when it does not). rule: the alert in words. action: what to do. note: why the alert may be blind (no recent queue sample).';


--
-- Name: allocations_per_minute; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.allocations_per_minute AS
 SELECT m.minute,
    count(l.id) AS allocations,
    count(DISTINCT l.ikimina_id) AS groups
   FROM (generate_series((date_trunc('minute'::text, now()) - '00:59:00'::interval), date_trunc('minute'::text, now()), '00:01:00'::interval) m(minute)
     LEFT JOIN public.contributions_ledger l ON (((l.source = 'sms'::text) AND (m.minute <= l.allocated_at) AND (l.allocated_at < (m.minute + '00:01:00'::interval)))))
  GROUP BY m.minute
  ORDER BY m.minute DESC;


--
-- Name: VIEW allocations_per_minute; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.allocations_per_minute IS 'SMS allocations per minute over the last hour, newest first, one row per minute (0 when none). minute: start of the minute. allocations: ledger entries the allocator wrote (source sms) in that minute. groups: how many different groups they went to.';


--
-- Name: allocator_faults; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.allocator_faults AS
 SELECT f.id,
    (f.cleared_at IS NULL) AS open,
    f.sqlstate,
    f.message,
    f.first_at,
    f.last_at,
    f.occurrences,
    f.cleared_at
   FROM public.momo_allocator_faults f
  ORDER BY f.id DESC;


--
-- Name: VIEW allocator_faults; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.allocator_faults IS 'Periods in which the allocator failed as a whole (deadlock, lock or statement timeout, cancel, out of memory or disk, missing privilege or function after a deploy: errors of the system, not of one SMS), newest first. id: the fault period. open: not yet followed by a batch without such an error. sqlstate, message: the latest error; first_at, last_at, occurrences (failed batches); cleared_at: when a batch ran again. No SMS is charged an attempt for these.';


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    actor text DEFAULT SESSION_USER NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    reason text,
    before jsonb,
    after jsonb,
    txid bigint DEFAULT txid_current() NOT NULL,
    CONSTRAINT audit_log_action_check CHECK ((action <> ''::text))
);


--
-- Name: TABLE audit_log; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.audit_log IS 'Append-only trail of every manual correction, resolution, setting change and operational action: who, what, when, why, and the row before and after.';


--
-- Name: allocator_status; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.allocator_status AS
 WITH q AS (
         SELECT count(*) FILTER (WHERE ((momo_sms_inbox.next_attempt_at IS NULL) OR (momo_sms_inbox.next_attempt_at <= now()))) AS ready,
            count(*) FILTER (WHERE (momo_sms_inbox.next_attempt_at > now())) AS waiting_retry
           FROM public.momo_sms_inbox
          WHERE (momo_sms_inbox.processed_at IS NULL)
        ), job AS (
         SELECT _monitoring_cron_jobs.jobid,
            _monitoring_cron_jobs.jobname,
            _monitoring_cron_jobs.schedule,
            _monitoring_cron_jobs.command,
            _monitoring_cron_jobs.active,
            _monitoring_cron_jobs.last_run_status,
            _monitoring_cron_jobs.last_run_started_at,
            _monitoring_cron_jobs.last_run_ended_at,
            _monitoring_cron_jobs.last_run_message,
            _monitoring_cron_jobs.last_success_at,
            _monitoring_cron_jobs.last_failure_at,
            _monitoring_cron_jobs.runs_last_24h,
            _monitoring_cron_jobs.failures_last_24h
           FROM public._monitoring_cron_jobs() _monitoring_cron_jobs(jobid, jobname, schedule, command, active, last_run_status, last_run_started_at, last_run_ended_at, last_run_message, last_success_at, last_failure_at, runs_last_24h, failures_last_24h)
          WHERE (_monitoring_cron_jobs.jobname = 'momo-allocator'::text)
        ), control AS (
         SELECT c_1.paused
           FROM public.momo_allocator_control c_1
        ), last_switch AS (
         SELECT a.action,
            a.occurred_at,
            a.actor,
            a.reason
           FROM public.audit_log a
          WHERE ((a.entity = 'cron.job'::text) AND (a.entity_id = 'momo-allocator'::text) AND (a.action = ANY (ARRAY['momo_allocator_pause'::text, 'momo_allocator_resume'::text])))
          ORDER BY a.id DESC
         LIMIT 1
        )
 SELECT
        CASE
            WHEN (j.jobid IS NULL) THEN 'missing'::text
            WHEN (j.active AND (c.paused IS NOT TRUE)) THEN 'active'::text
            ELSE 'paused'::text
        END AS state,
    ((NOT j.active) OR (c.paused IS TRUE)) AS paused,
    j.jobid,
    j.schedule,
    j.command,
    p.occurred_at AS paused_at,
    p.actor AS paused_by,
    p.reason AS pause_reason,
    j.last_run_status,
    j.last_run_started_at,
    j.last_run_ended_at,
    j.last_run_message,
    j.last_success_at,
    q.ready AS inbox_ready,
    q.waiting_retry AS inbox_waiting_retry
   FROM (((q
     LEFT JOIN job j ON (true))
     LEFT JOIN control c ON (true))
     LEFT JOIN last_switch p ON ((((NOT j.active) OR (c.paused IS TRUE)) AND (p.action = 'momo_allocator_pause'::text))));


--
-- Name: VIEW allocator_status; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.allocator_status IS 'Is the allocator running? One row. state: active (the pg_cron job momo-allocator runs every minute), paused (momo_allocator_pause(), which also stops running drains and the HTTP trigger, or cron.alter_job switched it off) or missing (no such job). paused: true/false (null when missing). jobid, schedule, command: the job. paused_at, paused_by, pause_reason: who paused it, when and why (from audit_log; null when not paused or paused outside momo_allocator_pause). last_run_status, last_run_started_at, last_run_ended_at, last_run_message, last_success_at: its latest runs. inbox_ready: SMS it would take now; inbox_waiting_retry: SMS waiting for their retry time after a failed attempt.';


--
-- Name: balance_gaps; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.balance_gaps AS
 SELECT g.account,
    g.before_inbox_id,
    g.after_inbox_id,
    g.before_txn_ts,
    g.after_txn_ts,
    g.balance_after_before,
    g.balance_before_after,
    g.explained_between,
    g.missing_amount
   FROM public._momo_balance_gaps(( SELECT (s.value)::interval AS value
           FROM public.app_settings s
          WHERE (s.key = 'MOMO_BALANCE_GAPS_LOOKBACK'::text))) g(account, before_inbox_id, after_inbox_id, before_txn_ts, after_txn_ts, balance_after_before, balance_before_after, explained_between, missing_amount)
  ORDER BY g.after_txn_ts DESC, g.account;


--
-- Name: VIEW balance_gaps; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.balance_gaps IS 'One row per break in an account''s balance chain among the SMS parsed in the last MOMO_BALANCE_GAPS_LOOKBACK: two consecutive balance-stating genuine SMS of one account (by the time written in them) whose balances do not link. account: the receiving account. before_inbox_id, after_inbox_id, before_txn_ts, after_txn_ts: the SMS on each side and the times written in them. balance_after_before: the balance the earlier SMS states; balance_before_after: the later SMS''s balance less its own movement; explained_between: movements without a balance (bundles) in between. missing_amount: the signed amount no SMS explains (positive: money arrived that we never saw). The gateway may have dropped an SMS: check the phone''s inbox between those times. A forged SMS leaves a gap on both sides. A gap closes by itself when the missing SMS arrives.';


--
-- Name: momo_balance_holds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_balance_holds (
    inbox_id bigint NOT NULL,
    parsed_id bigint NOT NULL,
    account text NOT NULL,
    ikimina_id uuid NOT NULL,
    member_id uuid NOT NULL,
    matched_by text,
    held_at timestamp with time zone DEFAULT now() NOT NULL,
    released_at timestamp with time zone,
    release text,
    CONSTRAINT momo_balance_holds_release_check CHECK ((release = ANY (ARRAY['verified'::text, 'unverified'::text, 'check_off'::text, 'duplicate'::text]))),
    CONSTRAINT momo_balance_holds_release_complete CHECK (((released_at IS NULL) = (release IS NULL)))
);


--
-- Name: TABLE momo_balance_holds; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_balance_holds IS 'Credits from a chain-checked format whose balance did not yet link to a neighbouring SMS of the same account (MOMO_BALANCE_CHECK = hold). The member was resolved when held; the allocator re-examines each hold when later SMS of its account arrive and posts it once it links (release verified), or after MOMO_BALANCE_CHECK_WAIT opens a balance_unverified case (release unverified).';


--
-- Name: balance_holds; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.balance_holds AS
 SELECT h.inbox_id,
    h.account,
    h.held_at,
    (now() - h.held_at) AS waiting,
    p.amount,
    p.balance,
    p.txn_id,
    p.txn_ts,
    h.member_id,
    h.ikimina_id
   FROM (public.momo_balance_holds h
     JOIN public.momo_parsed_txns p ON ((h.parsed_id = p.id)))
  WHERE (h.released_at IS NULL)
  ORDER BY h.held_at;


--
-- Name: VIEW balance_holds; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.balance_holds IS 'Credits waiting for their balance to link to the account''s history (MOMO_BALANCE_CHECK = hold), oldest first. inbox_id, account: the SMS and the collection phone. held_at, waiting: since when. amount, balance: what it credits and the balance it states. txn_id, txn_ts: its transaction id and time. member_id, ikimina_id: who it will be credited to once it links. After MOMO_BALANCE_CHECK_WAIT it becomes a balance_unverified case instead.';


--
-- Name: credit_reservation_stats; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.credit_reservation_stats AS
 WITH settings AS (
         SELECT ( SELECT (s_1.value)::interval AS value
                   FROM public.app_settings s_1
                  WHERE (s_1.key = 'CREDITS_RESERVATION_MAX_AGE'::text)) AS max_age,
            ( SELECT (s_1.value)::integer AS value
                   FROM public.app_settings s_1
                  WHERE (s_1.key = 'CREDITS_ALERT_EXPIRED_THRESHOLD'::text)) AS expired_threshold
        ), stats AS (
         SELECT count(*) AS active_count,
            count(*) FILTER (WHERE ((r."expiresAt" < now()) OR (r."createdAt" < (now() - ( SELECT st_1.max_age
                   FROM settings st_1))))) AS expired_count,
            COALESCE(sum(r.amount), (0)::numeric) AS active_amount
           FROM public."CreditReservation" r
          WHERE (r.status = 'active'::text)
        )
 SELECT s.active_count,
    s.expired_count,
    s.active_amount,
    (s.expired_count > st.expired_threshold) AS alert_expired
   FROM (stats s
     CROSS JOIN settings st);


--
-- Name: VIEW credit_reservation_stats; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.credit_reservation_stats IS 'SMS credit reservations now, one row. active_count (bigint): active reservations (metric credit_reservations_active); expired_count (bigint): of those, past "expiresAt" or older than CREDITS_RESERVATION_MAX_AGE but still active, i.e. leaked (credit_reservations_expired); active_amount (numeric): credits they hold; alert_expired (boolean): expired_count > CREDITS_ALERT_EXPIRED_THRESHOLD (default 10). Details: monitoring.credit_reservations_leaked.';


--
-- Name: Campaign; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."Campaign" (
    id text NOT NULL,
    "shopId" text NOT NULL,
    name text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    "creditsUsed" numeric,
    "createdAt" timestamp with time zone DEFAULT now() NOT NULL,
    "updatedAt" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT "Campaign_creditsUsed_check" CHECK (("creditsUsed" >= (0)::numeric)),
    CONSTRAINT "Campaign_id_check" CHECK ((id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'::text)),
    CONSTRAINT "Campaign_name_check" CHECK (((name <> ''::text) AND (length(name) <= 200))),
    CONSTRAINT "Campaign_shopId_check" CHECK (("shopId" ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'::text)),
    CONSTRAINT "Campaign_status_check" CHECK ((status = ANY (ARRAY['draft'::text, 'scheduled'::text, 'sending'::text, 'sent'::text, 'failed'::text]))),
    CONSTRAINT campaign_credits_used_money CHECK ((("creditsUsed" <> 'NaN'::numeric) AND ("creditsUsed" > '-10000000000000000'::numeric) AND ("creditsUsed" < '10000000000000000'::numeric) AND ("creditsUsed" = round("creditsUsed", 2))))
);


--
-- Name: TABLE "Campaign"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public."Campaign" IS 'An SMS campaign of a shop. sent and failed are final: the status change settles the campaign''s credit reservation in the same transaction (consumes "creditsUsed" when known, else releases it).';


--
-- Name: COLUMN "Campaign"."creditsUsed"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public."Campaign"."creditsUsed" IS 'Credits the campaign actually used, when the sender reports it with the final status; the status change then consumes this much of the reservation and releases the rest.';


--
-- Name: credit_reservations_leaked; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.credit_reservations_leaked AS
 SELECT r.id,
    r."shopId",
    r."campaignId",
    r.amount,
    r."createdAt",
    r."expiresAt",
    c.status AS campaign_status,
        CASE
            WHEN (c.status = ANY (ARRAY['sent'::text, 'failed'::text])) THEN 'campaign_final'::text
            WHEN (r."expiresAt" < now()) THEN 'expired'::text
            ELSE 'max_age_exceeded'::text
        END AS reason,
    (now() - r."createdAt") AS age
   FROM (public."CreditReservation" r
     JOIN public."Campaign" c ON ((r."campaignId" = c.id)))
  WHERE ((r.status = 'active'::text) AND ((c.status = ANY (ARRAY['sent'::text, 'failed'::text])) OR (r."expiresAt" < now()) OR (r."createdAt" < (now() - ( SELECT (s.value)::interval AS value
           FROM public.app_settings s
          WHERE (s.key = 'CREDITS_RESERVATION_MAX_AGE'::text))))));


--
-- Name: VIEW credit_reservations_leaked; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.credit_reservations_leaked IS 'Active reservations that should no longer hold credits (runbook Detection and Step 1), one row each: id, "shopId", "campaignId", amount, "createdAt", "expiresAt", campaign_status, reason (campaign_final: its campaign is sent or failed; expired: past "expiresAt"; max_age_exceeded: older than CREDITS_RESERVATION_MAX_AGE) and age. The credits-reconcile job settles them; rows that stay here across runs need a person (see the credit runbook).';


--
-- Name: credit_transaction_totals; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.credit_transaction_totals AS
 SELECT k.type,
    count(t.id) AS transactions,
    COALESCE(sum(t.amount), (0)::numeric) AS amount
   FROM (( VALUES ('credit'::text), ('debit'::text)) k(type)
     LEFT JOIN public."CreditTransaction" t ON ((k.type = t.type)))
  GROUP BY k.type;


--
-- Name: VIEW credit_transaction_totals; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.credit_transaction_totals IS 'SMS credit ledger totals, one row per transaction type (credit = top-ups, debit = credits campaigns used), also when there are none: type, transactions (bigint, metric credit_transactions_total), amount (numeric, sum of credits).';


--
-- Name: cron_jobs; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.cron_jobs AS
 SELECT j.jobname,
    j.jobid,
    j.schedule,
    j.command,
    j.active,
        CASE
            WHEN (NOT j.active) THEN 'paused'::text
            WHEN (j.last_run_status IS NULL) THEN 'never_run'::text
            WHEN (j.last_run_status = ANY (ARRAY['starting'::text, 'connecting'::text, 'sending'::text, 'running'::text])) THEN 'running'::text
            WHEN (j.last_run_status = 'failed'::text) THEN 'failing'::text
            ELSE 'ok'::text
        END AS health,
    j.last_run_status,
    j.last_run_started_at,
    j.last_run_ended_at,
    j.last_run_message,
    j.last_success_at,
    (EXTRACT(epoch FROM (now() - j.last_success_at)))::bigint AS last_success_age_seconds,
    j.last_failure_at,
    j.runs_last_24h,
    j.failures_last_24h
   FROM public._monitoring_cron_jobs() j(jobid, jobname, schedule, command, active, last_run_status, last_run_started_at, last_run_ended_at, last_run_message, last_success_at, last_failure_at, runs_last_24h, failures_last_24h)
  ORDER BY j.jobname, j.jobid;


--
-- Name: VIEW cron_jobs; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.cron_jobs IS 'pg_cron jobs of this database and how their runs went (from cron.job_run_details, kept for MONITORING_CRON_HISTORY_RETENTION). jobname, jobid, schedule (cron syntax, GMT), command, active. health: paused (not active), never_run, running (a run is in progress), failing (the last run failed) or ok. last_run_status, last_run_started_at, last_run_ended_at, last_run_message: the latest run. last_success_at, last_success_age_seconds: the latest successful run and how long ago. last_failure_at: the latest failed run. runs_last_24h, failures_last_24h: runs started in the last 24 hours and how many failed.';


--
-- Name: dead_letters; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.dead_letters AS
 SELECT i.id AS inbox_id,
    i.received_at,
    i.ingested_at,
    i.ingest_source,
    i.processed_at AS dead_lettered_at,
    i.attempts,
    i.last_error,
    u.id AS case_id,
    u.status AS case_status,
    u.resolution,
    u.resolved_at,
    u.resolved_by
   FROM (public.momo_sms_inbox i
     LEFT JOIN LATERAL ( SELECT c.id,
            c.status,
            c.resolution,
            c.resolved_at,
            c.resolved_by
           FROM public.momo_unmatched c
          WHERE ((c.inbox_id = i.id) AND (c.reason = 'dead_letter'::text))
          ORDER BY c.id DESC
         LIMIT 1) u ON (true))
  WHERE (i.outcome = 'dead_letter'::text)
  ORDER BY (u.status = 'open'::text) DESC, i.processed_at DESC;


--
-- Name: VIEW dead_letters; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.dead_letters IS 'SMS the allocator gave up on after MOMO_ALLOCATOR_MAX_ATTEMPTS failed attempts, open cases first, newest first. inbox_id: the momo_sms_inbox row. received_at, ingested_at, ingest_source: when and from where it came. dead_lettered_at: when the allocator gave up. attempts, last_error: how often it failed and the last error (dead_letter: <error>). case_id, case_status, resolution, resolved_at, resolved_by: its momo_unmatched case (reason dead_letter) and how it was closed. Fix the cause, then momo_sms_requeue(inbox_id, reason), or resolve the case with unmatched_resolve().';


--
-- Name: duplicates; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.duplicates AS
 SELECT 'ingest_redelivery'::text AS kind,
    'The gateway delivered the same SMS again (same message, number and time); stored once, momo_sms_inbox.duplicate_count counts the repeats.'::text AS description,
    COALESCE(sum(i.duplicate_count), (0)::bigint) AS occurrences,
    count(*) FILTER (WHERE (i.last_duplicate_at > (now() - '01:00:00'::interval))) AS sms_last_hour,
    count(*) FILTER (WHERE (i.last_duplicate_at > (now() - '24:00:00'::interval))) AS sms_last_24h,
    max(i.last_duplicate_at) AS last_seen_at
   FROM public.momo_sms_inbox i
  WHERE (i.duplicate_count > 0)
UNION ALL
 SELECT d.kind,
    d.description,
    count(i.id) AS occurrences,
    count(i.id) FILTER (WHERE (i.processed_at > (now() - '01:00:00'::interval))) AS sms_last_hour,
    count(i.id) FILTER (WHERE (i.processed_at > (now() - '24:00:00'::interval))) AS sms_last_24h,
    max(i.processed_at) AS last_seen_at
   FROM (( VALUES ('parse_txn_id'::text,'duplicate_txn'::text,'A different SMS carried a transaction id already parsed: outcome duplicate, never allocated again (momo_parsed_txns.duplicate_of names the first).'::text), ('ledger_txn_id'::text,'duplicate_txn_ledger'::text,'The transaction id was already in contributions_ledger (its unique txn_id refused a second entry, e.g. after a manual allocation): outcome duplicate.'::text)) d(kind, reason, description)
     LEFT JOIN public.momo_sms_inbox i ON (((i.outcome = 'duplicate'::text) AND (d.reason = i.last_error))))
  GROUP BY d.kind, d.description
  ORDER BY 1;


--
-- Name: VIEW duplicates; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.duplicates IS 'Duplicate detection, one row per kind. kind: ingest_redelivery (the same SMS delivered again, caught by the inbox hash), parse_txn_id (another SMS with a transaction id already parsed) or ledger_txn_id (the ledger''s unique txn_id refused a second entry). description: the same in words. occurrences: all time (for ingest_redelivery every repeated delivery; otherwise SMS). sms_last_hour, sms_last_24h: SMS with such an event in the window (for ingest_redelivery, SMS whose latest repeat falls in it). last_seen_at: the latest one.';


--
-- Name: error_rates; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.error_rates AS
 SELECT date_trunc('minute'::text, i.processed_at) AS minute,
    i.outcome,
        CASE
            WHEN (i.last_error ~~ 'dead_letter%'::text) THEN 'dead_letter'::text
            ELSE i.last_error
        END AS reason,
    count(*) AS sms
   FROM public.momo_sms_inbox i
  WHERE ((i.processed_at >= (date_trunc('minute'::text, now()) - '00:59:00'::interval)) AND (i.last_error IS NOT NULL))
  GROUP BY (date_trunc('minute'::text, i.processed_at)), i.outcome,
        CASE
            WHEN (i.last_error ~~ 'dead_letter%'::text) THEN 'dead_letter'::text
            ELSE i.last_error
        END
  ORDER BY (date_trunc('minute'::text, i.processed_at)) DESC, (count(*)) DESC, i.outcome,
        CASE
            WHEN (i.last_error ~~ 'dead_letter%'::text) THEN 'dead_letter'::text
            ELSE i.last_error
        END;


--
-- Name: VIEW error_rates; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.error_rates IS 'Inbox rows the allocator finished without allocating, per minute and reason, over the last hour (only minutes and reasons that occurred). minute: start of the minute the allocator decided (processed_at). outcome: unmatched, duplicate, skipped or dead_letter. reason: the last_error code (e.g. profile_not_found, duplicate_txn, skipped_money_out, dead_letter). sms: how many. Rows still retrying after a failed attempt have no final time yet: see monitoring.inbox_errors.';


--
-- Name: inbox_errors; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.inbox_errors AS
 WITH classified AS (
         SELECT i.ingested_at,
            i.processed_at,
            "left"(i.last_error, 300) AS error_text,
            COALESCE(i.outcome, 'retrying'::text) AS state,
                CASE
                    WHEN (i.last_error ~~ 'error: %'::text) THEN 'error'::text
                    WHEN (i.last_error ~~ 'dead_letter%'::text) THEN 'dead_letter'::text
                    ELSE i.last_error
                END AS reason
           FROM public.momo_sms_inbox i
          WHERE (i.last_error IS NOT NULL)
        )
 SELECT c.state,
    c.reason,
    c.error_text AS last_error,
    count(*) AS sms,
    min(c.ingested_at) AS first_ingested_at,
    max(c.ingested_at) AS last_ingested_at,
    max(c.processed_at) AS last_processed_at
   FROM classified c
  GROUP BY c.state, c.reason, c.error_text
  ORDER BY (count(*)) DESC, c.state, c.reason, c.error_text;


--
-- Name: VIEW inbox_errors; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.inbox_errors IS 'Inbox rows that carry a last_error, grouped by error. state: retrying (a failed attempt; the allocator tries again at next_attempt_at) or the final outcome (unmatched, duplicate, skipped, dead_letter). reason: the error kind (error for unexpected failures, dead_letter, or the reason code such as profile_not_found, duplicate_txn, skipped_money_out). last_error: the text (first 300 characters). sms: how many inbox rows. first_ingested_at, last_ingested_at: when the first and the latest of them arrived. last_processed_at: the latest final decision among them.';


--
-- Name: ledger_totals; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.ledger_totals AS
 SELECT l.source,
    l.currency,
    count(*) AS entries,
    sum(l.amount) AS amount,
    max(l.allocated_at) AS last_entry_at
   FROM public.contributions_ledger l
  GROUP BY l.source, l.currency
  ORDER BY l.source, l.currency;


--
-- Name: VIEW ledger_totals; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.ledger_totals IS 'Ledger totals since the start, per source and currency. source: sms (the allocator), manual (unmatched_resolve) or correction (ledger_reverse, negative amounts). currency: ISO code. entries: how many ledger rows. amount: their sum (a string in JSON). last_entry_at: the latest.';


--
-- Name: overview; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.overview AS
 WITH alerts AS (
         SELECT COALESCE(array_agg(a_1.alert ORDER BY a_1.alert) FILTER (WHERE a_1.firing), '{}'::text[]) AS firing
           FROM monitoring.alerts a_1
        ), allocator AS (
         SELECT s.state,
            s.paused_at,
            s.paused_by,
            s.pause_reason
           FROM monitoring.allocator_status s
        ), cron AS (
         SELECT COALESCE(array_agg(c_1.jobname ORDER BY c_1.jobname) FILTER (WHERE (c_1.health = 'failing'::text)), '{}'::text[]) AS failing
           FROM monitoring.cron_jobs c_1
        ), inbox AS (
         SELECT count(*) AS unprocessed,
            count(*) FILTER (WHERE (momo_sms_inbox.last_error IS NOT NULL)) AS retrying,
            (EXTRACT(epoch FROM (now() - min(momo_sms_inbox.ingested_at))))::bigint AS oldest_age_seconds
           FROM public.momo_sms_inbox
          WHERE (momo_sms_inbox.processed_at IS NULL)
        ), unmatched AS (
         SELECT count(*) AS open_cases,
            count(*) FILTER (WHERE (momo_unmatched.reason = 'dead_letter'::text)) AS open_dead_letters,
            (EXTRACT(epoch FROM (now() - min(momo_unmatched.created_at))))::bigint AS oldest_age_seconds
           FROM public.momo_unmatched
          WHERE (momo_unmatched.status = 'open'::text)
        ), last_hour AS (
         SELECT ( SELECT count(*) AS count
                   FROM public.contributions_ledger
                  WHERE ((contributions_ledger.source = 'sms'::text) AND (contributions_ledger.allocated_at > (now() - '01:00:00'::interval)))) AS allocations,
            ( SELECT count(*) AS count
                   FROM public.momo_sms_inbox
                  WHERE ((momo_sms_inbox.processed_at > (now() - '01:00:00'::interval)) AND (momo_sms_inbox.outcome = ANY (ARRAY['unmatched'::text, 'dead_letter'::text])))) AS not_allocated
        )
 SELECT now() AS checked_at,
        CASE
            WHEN ((cardinality(al.firing) > 0) OR (a.state <> 'active'::text) OR (cardinality(c.failing) > 0) OR (u.open_dead_letters > 0)) THEN 'attention'::text
            ELSE 'ok'::text
        END AS status,
    al.firing AS alerts_firing,
    a.state AS allocator_state,
    a.paused_at AS allocator_paused_at,
    a.paused_by AS allocator_paused_by,
    a.pause_reason AS allocator_pause_reason,
    i.unprocessed AS inbox_unprocessed,
    i.retrying AS inbox_retrying,
    i.oldest_age_seconds AS inbox_oldest_unprocessed_age_seconds,
    u.open_cases AS unmatched_open,
    u.oldest_age_seconds AS unmatched_oldest_open_age_seconds,
    u.open_dead_letters AS dead_letters_open,
    h.allocations AS allocations_last_hour,
    h.not_allocated AS unmatched_last_hour,
    c.failing AS cron_jobs_failing,
        CASE
            WHEN (a.state = 'missing'::text) THEN ('The pg_cron job momo-allocator does not exist: nothing allocates. '::text || 'Escalate to the lead.'::text)
            WHEN (a.state = 'paused'::text) THEN format('The allocator is paused (%s). When the cause is fixed: select momo_allocator_resume(''<reason>''); Runbook: Incident response.'::text, COALESCE(a.pause_reason, 'paused outside momo_allocator_pause'::text))
            WHEN ('momo-allocator'::text = ANY (c.failing)) THEN ('The allocator job is failing: see monitoring.cron_jobs (last_run_message). '::text || 'Runbook: Incident response.'::text)
            WHEN (cardinality(c.failing) > 0) THEN 'A pg_cron job is failing: see monitoring.cron_jobs (last_run_message).'::text
            WHEN ('allocator_failing'::text = ANY (al.firing)) THEN ('The allocator fails as a whole (not because of one SMS): see '::text || 'monitoring.allocator_faults. Runbook: Allocator failing as a whole.'::text)
            WHEN ('inbox_backlog'::text = ANY (al.firing)) THEN ('The inbox backlog is high: see monitoring.alerts and monitoring.inbox_errors. '::text || 'Runbook: Queue backlog.'::text)
            WHEN ('suspected_forgery'::text = ANY (al.firing)) THEN ('An SMS that looked like a payment could not be shown genuine: see '::text || 'monitoring.suspected_forgeries. Runbook: Suspected forgeries.'::text)
            WHEN ('balance_gap'::text = ANY (al.firing)) THEN ('The gateway may have dropped an SMS: see monitoring.balance_gaps. '::text || 'Runbook: Balance gaps and held credits.'::text)
            WHEN (u.open_dead_letters > 0) THEN 'Dead letters are waiting: see monitoring.dead_letters. Runbook: Dead letters.'::text
            WHEN (al.firing && ARRAY['unmatched_open_cases'::text, 'unmatched_case_age'::text]) THEN ('Unmatched cases need a person: see monitoring.unmatched_open. '::text || 'Runbook: Unmatched cases.'::text)
            WHEN ('credit_wallets_overdrawn'::text = ANY (al.firing)) THEN ('A credit wallet is overdrawn by a late charge: see monitoring.wallet_reconciliation. '::text || 'Runbook: Campaign charged after its reservation was freed.'::text)
            WHEN (cardinality(al.firing) > 0) THEN 'An alert fires: see monitoring.alerts (action).'::text
            ELSE 'Nothing to do.'::text
        END AS next_step
   FROM (((((alerts al
     CROSS JOIN allocator a)
     CROSS JOIN cron c)
     CROSS JOIN inbox i)
     CROSS JOIN unmatched u)
     CROSS JOIN last_hour h);


--
-- Name: VIEW overview; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.overview IS 'Everything on one row: start here. checked_at: when read. status: ok, or attention when an alert fires, the allocator is not active, a pg_cron job fails or dead letters are open. alerts_firing: names of the firing rows of monitoring.alerts. allocator_state: active, paused or missing (monitoring.allocator_status); allocator_paused_at, allocator_paused_by, allocator_pause_reason: when, by whom and why it was paused. inbox_unprocessed, inbox_retrying, inbox_oldest_unprocessed_age_seconds: the queue of the allocator. unmatched_open, unmatched_oldest_open_age_seconds: open cases. dead_letters_open: open dead_letter cases. allocations_last_hour: SMS allocated in the last hour; unmatched_last_hour: SMS that ended unmatched or as dead letters in the last hour. cron_jobs_failing: pg_cron jobs whose last run failed. next_step: the first thing to do.';


--
-- Name: ibimina; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ibimina (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    currency text DEFAULT 'RWF'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ibimina_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT ibimina_name_check CHECK ((name <> ''::text))
);


--
-- Name: TABLE ibimina; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.ibimina IS 'Savings groups (ikimina, plural ibimina) whose members contribute every month.';


--
-- Name: payer_matching_daily; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.payer_matching_daily AS
 WITH zone AS (
         SELECT s.value AS tz
           FROM public.app_settings s
          WHERE (s.key = 'MOMO_TIMEZONE'::text)
        ), credits AS (
         SELECT l.ikimina_id,
            ((COALESCE(p.txn_ts, l.allocated_at) AT TIME ZONE z.tz))::date AS day,
            'credit'::text AS kind,
                CASE
                    WHEN (l.source = 'sms'::text) THEN COALESCE((l.meta ->> 'matched_by'::text), 'unknown'::text)
                    ELSE 'by_person'::text
                END AS how,
            l.amount
           FROM ((public.contributions_ledger l
             CROSS JOIN zone z)
             LEFT JOIN public.momo_parsed_txns p ON ((l.parsed_id = p.id)))
          WHERE (l.source = ANY (ARRAY['sms'::text, 'manual'::text]))
        ), cases AS (
         SELECT a.ikimina_id,
            ((COALESCE(p.txn_ts, u.created_at) AT TIME ZONE z.tz))::date AS day,
            'case'::text AS kind,
            u.reason AS how,
            p.amount
           FROM (((public.momo_unmatched u
             CROSS JOIN zone z)
             LEFT JOIN public.momo_parsed_txns p ON ((u.parsed_id = p.id)))
             LEFT JOIN public.collection_accounts a ON ((p.account = a.account)))
        )
 SELECT x.ikimina_id,
    g.name AS ikimina_name,
    x.day,
    x.kind,
    x.how,
    count(*) AS payments,
    COALESCE(sum(x.amount), (0)::numeric) AS amount
   FROM (( SELECT credits.ikimina_id,
            credits.day,
            credits.kind,
            credits.how,
            credits.amount
           FROM credits
        UNION ALL
         SELECT cases.ikimina_id,
            cases.day,
            cases.kind,
            cases.how,
            cases.amount
           FROM cases) x
     LEFT JOIN public.ibimina g ON ((x.ikimina_id = g.id)))
  GROUP BY x.ikimina_id, g.name, x.day, x.kind, x.how
  ORDER BY x.day DESC, g.name, x.kind DESC, x.how;


--
-- Name: VIEW payer_matching_daily; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.payer_matching_daily IS 'How much of each group''s money needed a person, per Kigali day (of the SMS''s own time). kind credit: ledger credits of payments, how = matched_by of the allocator (phone, member_code, phone+member_code, remembered_payer, name_and_digits) or by_person (unmatched_resolve); kind case: momo_unmatched cases opened (open or resolved since), how = their reason, in the group of the collection account that received the SMS (ikimina_id, ikimina_name null: an account of no group). payments, amount: how many and their sum.';


--
-- Name: queue_history; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.queue_history AS
 SELECT q.sampled_at,
    q.inbox_unprocessed,
    q.inbox_retrying,
    (EXTRACT(epoch FROM (q.sampled_at - q.inbox_oldest_unprocessed_at)))::bigint AS inbox_oldest_unprocessed_age_seconds,
    q.unmatched_open,
    (EXTRACT(epoch FROM (q.sampled_at - q.unmatched_oldest_open_at)))::bigint AS unmatched_oldest_open_age_seconds
   FROM monitoring.queue_samples q
  WHERE (q.sampled_at > (now() - '24:00:00'::interval))
  ORDER BY q.sampled_at DESC;


--
-- Name: VIEW queue_history; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.queue_history IS 'Queue sizes sampled every minute over the last 24 hours, newest first (older samples are in monitoring.queue_samples). sampled_at: when. inbox_unprocessed: SMS waiting for the allocator; inbox_retrying: of those, failed attempts waiting to be retried; inbox_oldest_unprocessed_age_seconds: how long the oldest had waited. unmatched_open: open cases; unmatched_oldest_open_age_seconds: age of the oldest open case.';


--
-- Name: queue_sizes; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.queue_sizes AS
 WITH u AS (
         SELECT count(*) AS open_cases,
            min(momo_unmatched.created_at) AS oldest_at
           FROM public.momo_unmatched
          WHERE (momo_unmatched.status = 'open'::text)
        ), e AS (
         SELECT count(*) AS rows_with_error
           FROM public.momo_sms_inbox
          WHERE (momo_sms_inbox.last_error IS NOT NULL)
        )
 SELECT now() AS checked_at,
    i.unprocessed AS inbox_unprocessed,
    i.ready AS inbox_ready,
    i.retrying AS inbox_retrying,
    i.oldest_at AS inbox_oldest_unprocessed_at,
    (EXTRACT(epoch FROM (now() - i.oldest_at)))::bigint AS inbox_oldest_unprocessed_age_seconds,
    u.open_cases AS unmatched_open,
    u.oldest_at AS unmatched_oldest_open_at,
    (EXTRACT(epoch FROM (now() - u.oldest_at)))::bigint AS unmatched_oldest_open_age_seconds,
    e.rows_with_error AS inbox_rows_with_error
   FROM ((( SELECT count(*) AS unprocessed,
            count(*) FILTER (WHERE ((momo_sms_inbox.next_attempt_at IS NULL) OR (momo_sms_inbox.next_attempt_at <= now()))) AS ready,
            count(*) FILTER (WHERE (momo_sms_inbox.last_error IS NOT NULL)) AS retrying,
            min(momo_sms_inbox.ingested_at) AS oldest_at
           FROM public.momo_sms_inbox
          WHERE (momo_sms_inbox.processed_at IS NULL)) i
     CROSS JOIN u)
     CROSS JOIN e);


--
-- Name: VIEW queue_sizes; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.queue_sizes IS 'Queue sizes now, one row. checked_at: when read. inbox_unprocessed: SMS waiting for the allocator (processed_at null); inbox_ready: of those, the ones it may take now (not waiting for a retry time); inbox_retrying: of those, the ones whose last attempt failed (last_error set); inbox_oldest_unprocessed_at, inbox_oldest_unprocessed_age_seconds: when the oldest waiting SMS arrived and how long ago. unmatched_open: open momo_unmatched cases; unmatched_oldest_open_at, unmatched_oldest_open_age_seconds: when the oldest open case was opened and how long ago. inbox_rows_with_error: inbox rows with any last_error (processed or not), broken down in monitoring.inbox_errors.';


--
-- Name: momo_balance_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_balance_history (
    parsed_id bigint NOT NULL,
    verified_how text NOT NULL,
    verified_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT momo_balance_history_verified_how_check CHECK ((verified_how = ANY (ARRAY['chain'::text, 'anchor'::text])))
);


--
-- Name: TABLE momo_balance_history; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_balance_history IS 'Each account''s verified balance history: one row per SMS (momo_parsed_txns) shown genuine because its balance links to the SMS verified before it (verified_how chain, _momo_balance_verify) or because a person confirmed it (anchor, balance_anchor_confirm). A requeued SMS loses its row with its parse.';


--
-- Name: COLUMN momo_balance_history.verified_how; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_balance_history.verified_how IS 'chain: linked to the verified SMS before it; anchor: confirmed by a person (audited).';


--
-- Name: COLUMN momo_balance_history.verified_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_balance_history.verified_at IS 'When the SMS became part of its account''s verified balance history.';


--
-- Name: suspected_forgeries; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.suspected_forgeries AS
 SELECT i.id AS inbox_id,
    i.ingested_at,
    i.msisdn_raw AS sender,
    COALESCE(i.receiving_account, i.ingest_source) AS account,
    c.reason,
    c.detail,
    c.id AS case_id,
    c.status AS case_status,
    p.amount,
    COALESCE(p.txn_id, (p.parsed_json ->> 'txn_id'::text)) AS txn_id,
    NULL::bigint AS ledger_id
   FROM ((((public.momo_unmatched c
     JOIN public.momo_sms_inbox i ON ((c.inbox_id = i.id)))
     LEFT JOIN public.momo_parsed_txns p ON ((c.parsed_id = p.id)))
     LEFT JOIN public.momo_parsed_txns own ON ((i.id = own.inbox_id)))
     LEFT JOIN public.momo_balance_history verified ON ((own.id = verified.parsed_id)))
  WHERE ((c.reason = ANY (ARRAY['sender_not_operator'::text, 'sender_unknown'::text, 'balance_unverified'::text, 'txn_id_conflict'::text, 'sms_time_mismatch'::text])) AND (verified.parsed_id IS NULL))
UNION ALL
 SELECT i.id AS inbox_id,
    i.ingested_at,
    i.msisdn_raw AS sender,
    COALESCE(i.receiving_account, i.ingest_source) AS account,
    'balance_unverified_credited'::text AS reason,
    'allocated with MOMO_BALANCE_CHECK = flag although its balance did not link'::text AS detail,
    NULL::bigint AS case_id,
    NULL::text AS case_status,
    l.amount,
    l.txn_id,
    l.id AS ledger_id
   FROM ((public.contributions_ledger l
     JOIN public.momo_sms_inbox i ON ((l.inbox_id = i.id)))
     LEFT JOIN public.momo_balance_history verified ON ((l.parsed_id = verified.parsed_id)))
  WHERE (((l.meta ->> 'balance_verified'::text) = 'false'::text) AND (verified.parsed_id IS NULL))
  ORDER BY 2 DESC;


--
-- Name: VIEW suspected_forgeries; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.suspected_forgeries IS 'SMS that looked like a payment but could not be shown genuine (never one verified in its account''s balance history), newest first. inbox_id, ingested_at: the SMS and when it arrived. sender, account: who sent it and which collection phone got it. reason, detail, case_id, case_status: its momo_unmatched case, with reason sender_not_operator (sent from an ordinary number), sender_unknown (no sender), balance_unverified (its balance never linked to the account''s verified history, or its wording states none), sms_time_mismatch (written long before or after the phone received it) or txn_id_conflict (another SMS claims its transaction id with other details); or, under MOMO_BALANCE_CHECK = flag, balance_unverified_credited for a credit whose balance did not link (ledger_id set). amount, txn_id: what it claims. Runbook: Suspected forgeries.';


--
-- Name: unmatched_open; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.unmatched_open AS
 SELECT u.id AS case_id,
    u.inbox_id,
    u.reason,
    u.detail,
    u.created_at,
    (EXTRACT(epoch FROM (now() - u.created_at)))::bigint AS age_seconds,
    p.amount,
    p.currency,
    p.txn_id,
    p.txn_ts,
    u.suggested_member_id,
    m.ikimina_id AS suggested_ikimina_id,
    ( SELECT jsonb_agg((c.value - 'display_name'::text) ORDER BY c.ordinality) AS jsonb_agg
           FROM jsonb_array_elements(u.candidates) WITH ORDINALITY c(value, ordinality)) AS candidates
   FROM ((public.momo_unmatched u
     LEFT JOIN public.momo_parsed_txns p ON ((u.parsed_id = p.id)))
     LEFT JOIN public.ibimina_members m ON ((u.suggested_member_id = m.id)))
  WHERE (u.status = 'open'::text)
  ORDER BY u.created_at, u.id;


--
-- Name: VIEW unmatched_open; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.unmatched_open IS 'Open momo_unmatched cases, oldest first: the reconciliation work list. case_id: pass it to unmatched_resolve(). inbox_id: the SMS. reason: why it was not allocated (profile_not_found, low_confidence, dead_letter, ...); detail: more words on it. created_at, age_seconds: when the case was opened and how long ago. amount, currency, txn_id, txn_ts: what the parser read (null when unknown). suggested_member_id, suggested_ikimina_id: a hint only (masked number and name matched), never an allocation. candidates: for a masked payer on a collection account, the group''s members with those visible digits and whether their names agree (momo_unmatched.candidates, without the names: member_id, member_code, names_agree).';


--
-- Name: wallet_reconciliation; Type: VIEW; Schema: monitoring; Owner: -
--

CREATE VIEW monitoring.wallet_reconciliation AS
 WITH reserved AS (
         SELECT r_1."shopId",
            sum(r_1.amount) AS reserved
           FROM public."CreditReservation" r_1
          WHERE (r_1.status = 'active'::text)
          GROUP BY r_1."shopId"
        ), ledger AS (
         SELECT t."shopId",
            COALESCE(sum(t.amount) FILTER (WHERE (t.type = 'credit'::text)), (0)::numeric) AS total_credited,
            COALESCE(sum(t.amount) FILTER (WHERE (t.type = 'debit'::text)), (0)::numeric) AS total_debited
           FROM public."CreditTransaction" t
          GROUP BY t."shopId"
        )
 SELECT w."shopId",
    w.balance,
    COALESCE(r.reserved, (0)::numeric) AS reserved,
    COALESCE(l.total_credited, (0)::numeric) AS total_credited,
    COALESCE(l.total_debited, (0)::numeric) AS total_debited,
    (w.balance - COALESCE(r.reserved, (0)::numeric)) AS available,
    (COALESCE(l.total_credited, (0)::numeric) - COALESCE(l.total_debited, (0)::numeric)) AS expected_balance,
    (w.balance - (COALESCE(l.total_credited, (0)::numeric) - COALESCE(l.total_debited, (0)::numeric))) AS difference
   FROM ((public."Wallet" w
     LEFT JOIN reserved r ON ((w."shopId" = r."shopId")))
     LEFT JOIN ledger l ON ((w."shopId" = l."shopId")));


--
-- Name: VIEW wallet_reconciliation; Type: COMMENT; Schema: monitoring; Owner: -
--

COMMENT ON VIEW monitoring.wallet_reconciliation IS 'SMS credit wallets reconciled against their ledger, one row per shop: "shopId"; balance ("Wallet".balance, metric wallet_balance); reserved (credits held by active reservations); total_credited and total_debited (sums of "CreditTransaction" by type); available (balance - reserved; below zero only when a late charge overdrew the wallet, alert credit_wallets_overdrawn); expected_balance (total_credited - total_debited); difference (balance - expected_balance, always 0 unless the wallet was changed outside the functions). All amounts numeric.';


--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: contributions_ledger_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.contributions_ledger ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.contributions_ledger_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: credit_reconcile_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.credit_reconcile_runs (
    id bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    run_by text DEFAULT SESSION_USER NOT NULL,
    released integer NOT NULL,
    consumed integer NOT NULL,
    expired integer NOT NULL,
    errors integer NOT NULL,
    summary jsonb NOT NULL,
    CONSTRAINT credit_reconcile_runs_consumed_check CHECK ((consumed >= 0)),
    CONSTRAINT credit_reconcile_runs_errors_check CHECK ((errors >= 0)),
    CONSTRAINT credit_reconcile_runs_expired_check CHECK ((expired >= 0)),
    CONSTRAINT credit_reconcile_runs_released_check CHECK ((released >= 0))
);


--
-- Name: TABLE credit_reconcile_runs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.credit_reconcile_runs IS 'One row per credit_reconcile() run (the credits-reconcile pg_cron job every 10 minutes): how many leaked reservations it released or consumed (final campaigns), expired, and failed to settle; summary is the jsonb it returned. The reservations it changed are in audit_log.';


--
-- Name: credit_reconcile_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.credit_reconcile_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.credit_reconcile_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: momo_allocator_faults_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.momo_allocator_faults ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.momo_allocator_faults_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: momo_parsed_txns_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.momo_parsed_txns ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.momo_parsed_txns_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: momo_provider_senders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_provider_senders (
    provider text NOT NULL,
    sender text NOT NULL,
    description text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text DEFAULT SESSION_USER NOT NULL,
    CONSTRAINT momo_provider_senders_provider_check CHECK ((provider ~ '^[a-z0-9_]+$'::text)),
    CONSTRAINT momo_provider_senders_sender_check CHECK (((btrim(sender) = sender) AND (sender <> ''::text) AND (length(sender) <= 64)))
);


--
-- Name: TABLE momo_provider_senders; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_provider_senders IS 'The gateway senders (msisdn_raw) an SMS of each provider must come from to be genuine, compared case-insensitively. An SMS matching a provider''s format from any other sender is never credited and never claims a transaction id: it becomes a sender_not_operator case.';


--
-- Name: momo_sms_formats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.momo_sms_formats (
    id integer NOT NULL,
    name text NOT NULL,
    provider text NOT NULL,
    kind text NOT NULL,
    direction text,
    allocatable boolean DEFAULT false NOT NULL,
    priority integer DEFAULT 100 NOT NULL,
    keyword text NOT NULL,
    pattern text NOT NULL,
    compiled_pattern text GENERATED ALWAYS AS (public._regex_strip_group_names(pattern)) STORED NOT NULL,
    field_names text[] GENERATED ALWAYS AS (public._regex_group_names(pattern)) STORED NOT NULL,
    sample text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    description text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT momo_sms_formats_all_groups_named CHECK ((cardinality(regexp_match(sample, compiled_pattern)) = cardinality(field_names))),
    CONSTRAINT momo_sms_formats_allocatable_is_money_in CHECK (((NOT allocatable) OR (direction = 'in'::text))),
    CONSTRAINT momo_sms_formats_direction_check CHECK ((direction = ANY (ARRAY['in'::text, 'out'::text]))),
    CONSTRAINT momo_sms_formats_engines_agree CHECK ((NOT (public._regex_captures(sample, compiled_pattern) IS DISTINCT FROM regexp_match(sample, compiled_pattern)))),
    CONSTRAINT momo_sms_formats_keyword_check CHECK ((keyword <> ''::text)),
    CONSTRAINT momo_sms_formats_keyword_in_sample CHECK ((strpos(sample, keyword) > 0)),
    CONSTRAINT momo_sms_formats_kind_check CHECK ((kind ~ '^[a-z0-9_]+$'::text)),
    CONSTRAINT momo_sms_formats_known_fields CHECK (((field_names <@ ARRAY['amount'::text, 'currency'::text, 'txn_id'::text, 'ts'::text, 'name'::text, 'msisdn'::text, 'note'::text, 'balance'::text, 'fee'::text]) AND ('amount'::text = ANY (field_names)))),
    CONSTRAINT momo_sms_formats_name_check CHECK ((name ~ '^[a-z0-9_]+$'::text)),
    CONSTRAINT momo_sms_formats_sample_matches CHECK ((sample ~ compiled_pattern))
);


--
-- Name: TABLE momo_sms_formats; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.momo_sms_formats IS 'SMS formats as data: the parser tries enabled formats whose keyword occurs in the SMS, lowest priority first. pattern is a regular expression with named parts (?<amount>...), (?<currency>...), (?<txn_id>...), (?<ts>...), (?<name>...), (?<msisdn>...), (?<note>...); sample is an SMS it must match. Only allocatable formats (money in from a person) can ever become contributions.';


--
-- Name: COLUMN momo_sms_formats.compiled_pattern; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.momo_sms_formats.compiled_pattern IS 'pattern with its group names removed (PostgreSQL regular expressions have no named groups).';


--
-- Name: momo_sms_formats_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.momo_sms_formats ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.momo_sms_formats_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: momo_sms_inbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.momo_sms_inbox ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.momo_sms_inbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: momo_unmatched_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.momo_unmatched ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.momo_unmatched_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: profiles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.profiles (
    user_id uuid DEFAULT gen_random_uuid() NOT NULL,
    whatsapp_e164 text,
    display_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT profiles_display_name_check CHECK ((display_name <> ''::text)),
    CONSTRAINT profiles_whatsapp_e164_check CHECK ((whatsapp_e164 ~ '^\+[1-9][0-9]{7,14}$'::text))
);


--
-- Name: TABLE profiles; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.profiles IS 'People. whatsapp_e164 is the phone number (E.164) that mobile-money payments come from; the allocator resolves payers by it.';


--
-- Name: remembered_payers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.remembered_payers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.remembered_payers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: remembered_payers_list; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.remembered_payers_list AS
 SELECT r.id,
    r.ikimina_id,
    g.name AS ikimina_name,
    r.msisdn_e164,
    r.payer_name,
    r.msisdn_suffix,
    r.member_id,
    p.display_name AS member_name,
    m.member_code,
    m.status AS member_status,
    r.case_id,
    r.remembered_at,
    r.remembered_by
   FROM (((public.remembered_payers r
     JOIN public.ibimina g ON ((r.ikimina_id = g.id)))
     JOIN public.ibimina_members m ON ((r.member_id = m.id)))
     JOIN public.profiles p ON ((m.user_id = p.user_id)))
  ORDER BY g.name, p.display_name, r.id;


--
-- Name: VIEW remembered_payers_list; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.remembered_payers_list IS 'DBA: the payers each group''s treasurer recognised (remembered_payers): the payer as the SMS states it (msisdn_e164, or payer_name normalised and the visible digits msisdn_suffix), the member it pays for, the case it was learnt from, when and by whom. id: pass it to remembered_payer_forget().';


--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_version (
    version bigint NOT NULL,
    description text NOT NULL,
    type public.schema_version_type DEFAULT 'auto'::public.schema_version_type NOT NULL,
    installed_by text NOT NULL,
    installed_on timestamp without time zone DEFAULT now() NOT NULL
);


--
-- Name: queue_samples queue_samples_pkey; Type: CONSTRAINT; Schema: monitoring; Owner: -
--

ALTER TABLE ONLY monitoring.queue_samples
    ADD CONSTRAINT queue_samples_pkey PRIMARY KEY (sampled_at);


--
-- Name: Campaign Campaign_id_shopId_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."Campaign"
    ADD CONSTRAINT "Campaign_id_shopId_key" UNIQUE (id, "shopId");


--
-- Name: Campaign Campaign_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."Campaign"
    ADD CONSTRAINT "Campaign_pkey" PRIMARY KEY (id);


--
-- Name: CreditReservation CreditReservation_id_shopId_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditReservation"
    ADD CONSTRAINT "CreditReservation_id_shopId_key" UNIQUE (id, "shopId");


--
-- Name: CreditReservation CreditReservation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditReservation"
    ADD CONSTRAINT "CreditReservation_pkey" PRIMARY KEY (id);


--
-- Name: CreditTransaction CreditTransaction_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditTransaction"
    ADD CONSTRAINT "CreditTransaction_pkey" PRIMARY KEY (id);


--
-- Name: CreditTransaction CreditTransaction_reference_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditTransaction"
    ADD CONSTRAINT "CreditTransaction_reference_key" UNIQUE (reference);


--
-- Name: CreditTransaction CreditTransaction_reservationId_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditTransaction"
    ADD CONSTRAINT "CreditTransaction_reservationId_key" UNIQUE ("reservationId");


--
-- Name: Wallet Wallet_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."Wallet"
    ADD CONSTRAINT "Wallet_pkey" PRIMARY KEY ("shopId");


--
-- Name: app_settings app_settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_settings
    ADD CONSTRAINT app_settings_pkey PRIMARY KEY (key);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);


--
-- Name: collection_accounts collection_accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_accounts
    ADD CONSTRAINT collection_accounts_pkey PRIMARY KEY (account);


--
-- Name: contribution_cycles contribution_cycles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contribution_cycles
    ADD CONSTRAINT contribution_cycles_pkey PRIMARY KEY (ikimina_id, yyyymm);


--
-- Name: contributions_ledger contributions_ledger_credit_generation_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_credit_generation_key UNIQUE (id, txn_id, txn_generation);


--
-- Name: contributions_ledger contributions_ledger_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_pkey PRIMARY KEY (id);


--
-- Name: contributions_ledger contributions_ledger_recredits_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_recredits_id_key UNIQUE (recredits_id);


--
-- Name: contributions_ledger contributions_ledger_reversal_generation_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_reversal_generation_key UNIQUE (id, reversed_txn_id, txn_generation);


--
-- Name: contributions_ledger contributions_ledger_reverses_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_reverses_id_key UNIQUE (reverses_id);


--
-- Name: contributions_ledger contributions_ledger_txn_generation_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_txn_generation_key UNIQUE (txn_id, txn_generation);


--
-- Name: credit_reconcile_runs credit_reconcile_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.credit_reconcile_runs
    ADD CONSTRAINT credit_reconcile_runs_pkey PRIMARY KEY (id);


--
-- Name: ibimina_members ibimina_members_id_ikimina_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina_members
    ADD CONSTRAINT ibimina_members_id_ikimina_id_key UNIQUE (id, ikimina_id);


--
-- Name: ibimina_members ibimina_members_ikimina_id_member_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina_members
    ADD CONSTRAINT ibimina_members_ikimina_id_member_code_key UNIQUE (ikimina_id, member_code);


--
-- Name: ibimina_members ibimina_members_ikimina_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina_members
    ADD CONSTRAINT ibimina_members_ikimina_id_user_id_key UNIQUE (ikimina_id, user_id);


--
-- Name: ibimina_members ibimina_members_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina_members
    ADD CONSTRAINT ibimina_members_pkey PRIMARY KEY (id);


--
-- Name: ibimina ibimina_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina
    ADD CONSTRAINT ibimina_pkey PRIMARY KEY (id);


--
-- Name: momo_allocator_control momo_allocator_control_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_allocator_control
    ADD CONSTRAINT momo_allocator_control_pkey PRIMARY KEY (singleton);


--
-- Name: momo_allocator_faults momo_allocator_faults_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_allocator_faults
    ADD CONSTRAINT momo_allocator_faults_pkey PRIMARY KEY (id);


--
-- Name: momo_balance_history momo_balance_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_balance_history
    ADD CONSTRAINT momo_balance_history_pkey PRIMARY KEY (parsed_id);


--
-- Name: momo_balance_holds momo_balance_holds_parsed_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_balance_holds
    ADD CONSTRAINT momo_balance_holds_parsed_id_key UNIQUE (parsed_id);


--
-- Name: momo_balance_holds momo_balance_holds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_balance_holds
    ADD CONSTRAINT momo_balance_holds_pkey PRIMARY KEY (inbox_id);


--
-- Name: momo_parsed_txns momo_parsed_txns_inbox_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_parsed_txns
    ADD CONSTRAINT momo_parsed_txns_inbox_id_key UNIQUE (inbox_id);


--
-- Name: momo_parsed_txns momo_parsed_txns_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_parsed_txns
    ADD CONSTRAINT momo_parsed_txns_pkey PRIMARY KEY (id);


--
-- Name: momo_parsed_txns momo_parsed_txns_txn_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_parsed_txns
    ADD CONSTRAINT momo_parsed_txns_txn_id_key UNIQUE (txn_id);


--
-- Name: momo_provider_senders momo_provider_senders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_provider_senders
    ADD CONSTRAINT momo_provider_senders_pkey PRIMARY KEY (provider, sender);


--
-- Name: momo_sms_formats momo_sms_formats_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_sms_formats
    ADD CONSTRAINT momo_sms_formats_name_key UNIQUE (name);


--
-- Name: momo_sms_formats momo_sms_formats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_sms_formats
    ADD CONSTRAINT momo_sms_formats_pkey PRIMARY KEY (id);


--
-- Name: momo_sms_inbox momo_sms_inbox_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_sms_inbox
    ADD CONSTRAINT momo_sms_inbox_hash_key UNIQUE (hash);


--
-- Name: momo_sms_inbox momo_sms_inbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_sms_inbox
    ADD CONSTRAINT momo_sms_inbox_pkey PRIMARY KEY (id);


--
-- Name: momo_unmatched momo_unmatched_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_unmatched
    ADD CONSTRAINT momo_unmatched_pkey PRIMARY KEY (id);


--
-- Name: profiles profiles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_pkey PRIMARY KEY (user_id);


--
-- Name: profiles profiles_whatsapp_e164_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_whatsapp_e164_key UNIQUE (whatsapp_e164);


--
-- Name: remembered_payers remembered_payers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.remembered_payers
    ADD CONSTRAINT remembered_payers_pkey PRIMARY KEY (id);


--
-- Name: schema_version schema_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (version);


--
-- Name: audit_log_entity_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_entity_idx ON public.audit_log USING btree (entity, entity_id);


--
-- Name: audit_log_occurred_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_occurred_at_idx ON public.audit_log USING btree (occurred_at);


--
-- Name: collection_accounts_ikimina_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_accounts_ikimina_id_idx ON public.collection_accounts USING btree (ikimina_id);


--
-- Name: contributions_ledger_allocated_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contributions_ledger_allocated_at_idx ON public.contributions_ledger USING btree (allocated_at);


--
-- Name: contributions_ledger_cycle_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contributions_ledger_cycle_idx ON public.contributions_ledger USING btree (ikimina_id, cycle_yyyymm);


--
-- Name: contributions_ledger_inbox_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contributions_ledger_inbox_idx ON public.contributions_ledger USING btree (inbox_id);


--
-- Name: contributions_ledger_member_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contributions_ledger_member_idx ON public.contributions_ledger USING btree (member_id);


--
-- Name: contributions_ledger_parsed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX contributions_ledger_parsed_idx ON public.contributions_ledger USING btree (parsed_id);


--
-- Name: credit_reconcile_runs_started_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credit_reconcile_runs_started_at_idx ON public.credit_reconcile_runs USING btree (started_at);


--
-- Name: credit_reservation_active_campaign_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX credit_reservation_active_campaign_idx ON public."CreditReservation" USING btree ("campaignId") WHERE (status = 'active'::text);


--
-- Name: credit_reservation_active_expires_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credit_reservation_active_expires_idx ON public."CreditReservation" USING btree ("expiresAt") WHERE (status = 'active'::text);


--
-- Name: credit_reservation_active_shop_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credit_reservation_active_shop_idx ON public."CreditReservation" USING btree ("shopId") INCLUDE (amount) WHERE (status = 'active'::text);


--
-- Name: credit_reservation_campaign_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credit_reservation_campaign_idx ON public."CreditReservation" USING btree ("campaignId", "createdAt");


--
-- Name: credit_transaction_late_shop_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credit_transaction_late_shop_idx ON public."CreditTransaction" USING btree ("shopId") INCLUDE (amount) WHERE "lateCharge";


--
-- Name: credit_transaction_shop_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX credit_transaction_shop_idx ON public."CreditTransaction" USING btree ("shopId", type) INCLUDE (amount);


--
-- Name: ibimina_members_member_code_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ibimina_members_member_code_idx ON public.ibimina_members USING btree (upper(member_code));


--
-- Name: ibimina_members_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ibimina_members_user_id_idx ON public.ibimina_members USING btree (user_id);


--
-- Name: momo_allocator_faults_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX momo_allocator_faults_open_idx ON public.momo_allocator_faults USING btree ((true)) WHERE (cleared_at IS NULL);


--
-- Name: momo_balance_holds_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_balance_holds_open_idx ON public.momo_balance_holds USING btree (held_at) WHERE (released_at IS NULL);


--
-- Name: momo_parsed_txns_chain_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_parsed_txns_chain_idx ON public.momo_parsed_txns USING btree (account, txn_ts, id) WHERE (movement IS NOT NULL);


--
-- Name: momo_parsed_txns_duplicate_of_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_parsed_txns_duplicate_of_idx ON public.momo_parsed_txns USING btree (duplicate_of);


--
-- Name: momo_provider_senders_folded_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX momo_provider_senders_folded_idx ON public.momo_provider_senders USING btree (provider, lower(sender));


--
-- Name: momo_sms_inbox_gateway_message_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX momo_sms_inbox_gateway_message_id_key ON public.momo_sms_inbox USING btree (gateway, gateway_message_id) WHERE (gateway_message_id IS NOT NULL);


--
-- Name: momo_sms_inbox_last_error_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_sms_inbox_last_error_idx ON public.momo_sms_inbox USING btree (last_error) WHERE (last_error IS NOT NULL);


--
-- Name: momo_sms_inbox_outcome_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_sms_inbox_outcome_idx ON public.momo_sms_inbox USING btree (outcome, processed_at) WHERE (outcome IS NOT NULL);


--
-- Name: momo_sms_inbox_processed_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_sms_inbox_processed_at_idx ON public.momo_sms_inbox USING btree (processed_at) WHERE (processed_at IS NOT NULL);


--
-- Name: momo_sms_inbox_queue_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_sms_inbox_queue_idx ON public.momo_sms_inbox USING btree (id) WHERE (processed_at IS NULL);


--
-- Name: momo_unmatched_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_unmatched_open_idx ON public.momo_unmatched USING btree (created_at) WHERE (status = 'open'::text);


--
-- Name: momo_unmatched_open_inbox_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX momo_unmatched_open_inbox_idx ON public.momo_unmatched USING btree (inbox_id) WHERE (status = 'open'::text);


--
-- Name: momo_unmatched_parsed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX momo_unmatched_parsed_idx ON public.momo_unmatched USING btree (parsed_id);


--
-- Name: profiles_e164_suffix_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX profiles_e164_suffix_idx ON public.profiles USING btree ("right"(whatsapp_e164, 3));


--
-- Name: remembered_payers_member_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX remembered_payers_member_id_idx ON public.remembered_payers USING btree (member_id);


--
-- Name: remembered_payers_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX remembered_payers_name_idx ON public.remembered_payers USING btree (ikimina_id, payer_name, msisdn_suffix) WHERE (payer_name IS NOT NULL);


--
-- Name: remembered_payers_number_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX remembered_payers_number_idx ON public.remembered_payers USING btree (ikimina_id, msisdn_e164) WHERE (msisdn_e164 IS NOT NULL);


--
-- Name: Campaign _money_exact; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER _money_exact BEFORE INSERT OR UPDATE ON public."Campaign" FOR EACH ROW EXECUTE FUNCTION public._campaign_money_exact();


--
-- Name: CreditReservation _money_exact; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER _money_exact BEFORE INSERT OR UPDATE ON public."CreditReservation" FOR EACH ROW EXECUTE FUNCTION public._credit_reservation_money_exact();


--
-- Name: CreditTransaction _money_exact; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER _money_exact BEFORE INSERT OR UPDATE ON public."CreditTransaction" FOR EACH ROW EXECUTE FUNCTION public._credit_transaction_money_exact();


--
-- Name: Wallet _money_exact; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER _money_exact BEFORE INSERT OR UPDATE ON public."Wallet" FOR EACH ROW EXECUTE FUNCTION public._wallet_money_exact();


--
-- Name: contribution_cycles _money_exact; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER _money_exact BEFORE INSERT OR UPDATE ON public.contribution_cycles FOR EACH ROW EXECUTE FUNCTION public._contribution_cycles_money_exact();


--
-- Name: contributions_ledger _money_exact; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER _money_exact BEFORE INSERT OR UPDATE ON public.contributions_ledger FOR EACH ROW EXECUTE FUNCTION public._contributions_ledger_money_exact();


--
-- Name: app_settings app_settings_validate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER app_settings_validate BEFORE INSERT OR UPDATE ON public.app_settings FOR EACH ROW EXECUTE FUNCTION public._app_settings_validate();


--
-- Name: audit_log audit_log_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public._append_only_guard('The audit trail is never edited.');


--
-- Name: audit_log audit_log_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON public.audit_log FOR EACH STATEMENT EXECUTE FUNCTION public._append_only_guard('The audit trail is never edited.');


--
-- Name: Campaign campaign_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER campaign_guard BEFORE UPDATE ON public."Campaign" FOR EACH ROW EXECUTE FUNCTION public._credit_campaign_guard();


--
-- Name: Campaign campaign_settle_credits; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER campaign_settle_credits AFTER UPDATE OF status ON public."Campaign" FOR EACH ROW WHEN (((new.status = ANY (ARRAY['sent'::text, 'failed'::text])) AND (old.status IS DISTINCT FROM new.status))) EXECUTE FUNCTION public._credit_campaign_settle();


--
-- Name: contributions_ledger contributions_ledger_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contributions_ledger_append_only BEFORE DELETE OR UPDATE ON public.contributions_ledger FOR EACH ROW EXECUTE FUNCTION public._append_only_guard('Use ledger_reverse() to post a correction.');


--
-- Name: contributions_ledger contributions_ledger_correction_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contributions_ledger_correction_check BEFORE INSERT ON public.contributions_ledger FOR EACH ROW WHEN ((new.reverses_id IS NOT NULL)) EXECUTE FUNCTION public._ledger_check_correction();


--
-- Name: contributions_ledger contributions_ledger_cycle_totals; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contributions_ledger_cycle_totals AFTER INSERT ON public.contributions_ledger REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public._ledger_after_insert();


--
-- Name: contributions_ledger contributions_ledger_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER contributions_ledger_no_truncate BEFORE TRUNCATE ON public.contributions_ledger FOR EACH STATEMENT EXECUTE FUNCTION public._append_only_guard('Use ledger_reverse() to post a correction.');


--
-- Name: credit_reconcile_runs credit_reconcile_runs_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_reconcile_runs_append_only BEFORE DELETE OR UPDATE ON public.credit_reconcile_runs FOR EACH ROW EXECUTE FUNCTION public._append_only_guard('The reconciliation run log is never edited.');


--
-- Name: credit_reconcile_runs credit_reconcile_runs_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_reconcile_runs_no_truncate BEFORE TRUNCATE ON public.credit_reconcile_runs FOR EACH STATEMENT EXECUTE FUNCTION public._append_only_guard('The reconciliation run log is never edited.');


--
-- Name: CreditReservation credit_reservation_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_reservation_audit AFTER UPDATE ON public."CreditReservation" FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION public._credit_reservation_audit();


--
-- Name: CreditReservation credit_reservation_available_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER credit_reservation_available_check AFTER INSERT ON public."CreditReservation" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.status = 'active'::text)) EXECUTE FUNCTION public._credit_available_check();


--
-- Name: CreditReservation credit_reservation_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_reservation_guard BEFORE INSERT OR DELETE OR UPDATE ON public."CreditReservation" FOR EACH ROW EXECUTE FUNCTION public._credit_reservation_guard();


--
-- Name: CreditTransaction credit_transaction_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_transaction_append_only BEFORE DELETE OR UPDATE ON public."CreditTransaction" FOR EACH ROW EXECUTE FUNCTION public._append_only_guard('Credits are never edited: post a compensating transaction instead.');


--
-- Name: CreditTransaction credit_transaction_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_transaction_check BEFORE INSERT ON public."CreditTransaction" FOR EACH ROW EXECUTE FUNCTION public._credit_transaction_check();


--
-- Name: CreditTransaction credit_transaction_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_transaction_no_truncate BEFORE TRUNCATE ON public."CreditTransaction" FOR EACH STATEMENT EXECUTE FUNCTION public._append_only_guard('Credits are never edited: post a compensating transaction instead.');


--
-- Name: CreditTransaction credit_transaction_post; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER credit_transaction_post AFTER INSERT ON public."CreditTransaction" FOR EACH ROW EXECUTE FUNCTION public._credit_transaction_post();


--
-- Name: momo_parsed_txns momo_parsed_txns_history_forget; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER momo_parsed_txns_history_forget AFTER DELETE ON public.momo_parsed_txns REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION public._momo_balance_history_forget();


--
-- Name: momo_provider_senders momo_provider_senders_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER momo_provider_senders_audit AFTER INSERT OR DELETE OR UPDATE ON public.momo_provider_senders FOR EACH ROW EXECUTE FUNCTION public._momo_provider_senders_audit();


--
-- Name: momo_sms_formats momo_sms_formats_audit; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER momo_sms_formats_audit AFTER INSERT OR DELETE OR UPDATE ON public.momo_sms_formats FOR EACH ROW EXECUTE FUNCTION public._audit_row_change('id');


--
-- Name: Wallet wallet_available_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER wallet_available_check AFTER UPDATE ON public."Wallet" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.balance < old.balance)) EXECUTE FUNCTION public._credit_available_check();


--
-- Name: Wallet wallet_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER wallet_guard BEFORE INSERT OR DELETE OR UPDATE ON public."Wallet" FOR EACH ROW EXECUTE FUNCTION public._credit_wallet_guard();


--
-- Name: CreditReservation CreditReservation_campaignId_shopId_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditReservation"
    ADD CONSTRAINT "CreditReservation_campaignId_shopId_fkey" FOREIGN KEY ("campaignId", "shopId") REFERENCES public."Campaign"(id, "shopId");


--
-- Name: CreditReservation CreditReservation_shopId_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditReservation"
    ADD CONSTRAINT "CreditReservation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES public."Wallet"("shopId");


--
-- Name: CreditTransaction CreditTransaction_reservationId_shopId_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditTransaction"
    ADD CONSTRAINT "CreditTransaction_reservationId_shopId_fkey" FOREIGN KEY ("reservationId", "shopId") REFERENCES public."CreditReservation"(id, "shopId");


--
-- Name: CreditTransaction CreditTransaction_shopId_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."CreditTransaction"
    ADD CONSTRAINT "CreditTransaction_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES public."Wallet"("shopId");


--
-- Name: collection_accounts collection_accounts_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_accounts
    ADD CONSTRAINT collection_accounts_ikimina_id_fkey FOREIGN KEY (ikimina_id) REFERENCES public.ibimina(id);


--
-- Name: contribution_cycles contribution_cycles_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contribution_cycles
    ADD CONSTRAINT contribution_cycles_ikimina_id_fkey FOREIGN KEY (ikimina_id) REFERENCES public.ibimina(id);


--
-- Name: contributions_ledger contributions_ledger_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_ikimina_id_fkey FOREIGN KEY (ikimina_id) REFERENCES public.ibimina(id);


--
-- Name: contributions_ledger contributions_ledger_inbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES public.momo_sms_inbox(id);


--
-- Name: contributions_ledger contributions_ledger_member_id_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_member_id_ikimina_id_fkey FOREIGN KEY (member_id, ikimina_id) REFERENCES public.ibimina_members(id, ikimina_id);


--
-- Name: contributions_ledger contributions_ledger_parsed_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_parsed_id_fkey FOREIGN KEY (parsed_id) REFERENCES public.momo_parsed_txns(id);


--
-- Name: contributions_ledger contributions_ledger_recredit_follows_reversal; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_recredit_follows_reversal FOREIGN KEY (recredits_id, txn_id, previous_generation) REFERENCES public.contributions_ledger(id, reversed_txn_id, txn_generation);


--
-- Name: contributions_ledger contributions_ledger_recredits_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_recredits_id_fkey FOREIGN KEY (recredits_id) REFERENCES public.contributions_ledger(id);


--
-- Name: contributions_ledger contributions_ledger_reversal_names_its_credit; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_reversal_names_its_credit FOREIGN KEY (reverses_id, reversed_txn_id, txn_generation) REFERENCES public.contributions_ledger(id, txn_id, txn_generation);


--
-- Name: contributions_ledger contributions_ledger_reverses_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contributions_ledger
    ADD CONSTRAINT contributions_ledger_reverses_id_fkey FOREIGN KEY (reverses_id) REFERENCES public.contributions_ledger(id);


--
-- Name: ibimina_members ibimina_members_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina_members
    ADD CONSTRAINT ibimina_members_ikimina_id_fkey FOREIGN KEY (ikimina_id) REFERENCES public.ibimina(id);


--
-- Name: ibimina_members ibimina_members_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ibimina_members
    ADD CONSTRAINT ibimina_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.profiles(user_id);


--
-- Name: momo_balance_holds momo_balance_holds_inbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_balance_holds
    ADD CONSTRAINT momo_balance_holds_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES public.momo_sms_inbox(id);


--
-- Name: momo_balance_holds momo_balance_holds_member_id_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_balance_holds
    ADD CONSTRAINT momo_balance_holds_member_id_ikimina_id_fkey FOREIGN KEY (member_id, ikimina_id) REFERENCES public.ibimina_members(id, ikimina_id);


--
-- Name: momo_balance_holds momo_balance_holds_parsed_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_balance_holds
    ADD CONSTRAINT momo_balance_holds_parsed_id_fkey FOREIGN KEY (parsed_id) REFERENCES public.momo_parsed_txns(id);


--
-- Name: momo_parsed_txns momo_parsed_txns_duplicate_of_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_parsed_txns
    ADD CONSTRAINT momo_parsed_txns_duplicate_of_fkey FOREIGN KEY (duplicate_of) REFERENCES public.momo_parsed_txns(id);


--
-- Name: momo_parsed_txns momo_parsed_txns_inbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_parsed_txns
    ADD CONSTRAINT momo_parsed_txns_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES public.momo_sms_inbox(id);


--
-- Name: momo_unmatched momo_unmatched_inbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_unmatched
    ADD CONSTRAINT momo_unmatched_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES public.momo_sms_inbox(id);


--
-- Name: momo_unmatched momo_unmatched_ledger_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_unmatched
    ADD CONSTRAINT momo_unmatched_ledger_id_fkey FOREIGN KEY (ledger_id) REFERENCES public.contributions_ledger(id);


--
-- Name: momo_unmatched momo_unmatched_parsed_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_unmatched
    ADD CONSTRAINT momo_unmatched_parsed_id_fkey FOREIGN KEY (parsed_id) REFERENCES public.momo_parsed_txns(id) ON DELETE SET NULL;


--
-- Name: momo_unmatched momo_unmatched_suggested_member_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.momo_unmatched
    ADD CONSTRAINT momo_unmatched_suggested_member_id_fkey FOREIGN KEY (suggested_member_id) REFERENCES public.ibimina_members(id);


--
-- Name: remembered_payers remembered_payers_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.remembered_payers
    ADD CONSTRAINT remembered_payers_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.momo_unmatched(id);


--
-- Name: remembered_payers remembered_payers_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.remembered_payers
    ADD CONSTRAINT remembered_payers_ikimina_id_fkey FOREIGN KEY (ikimina_id) REFERENCES public.ibimina(id);


--
-- Name: remembered_payers remembered_payers_member_id_ikimina_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.remembered_payers
    ADD CONSTRAINT remembered_payers_member_id_ikimina_id_fkey FOREIGN KEY (member_id, ikimina_id) REFERENCES public.ibimina_members(id, ikimina_id);


--
-- Name: SCHEMA monitoring; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA monitoring TO app_analyst;
GRANT USAGE ON SCHEMA monitoring TO app_dba;


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO app_ingest;
GRANT USAGE ON SCHEMA public TO app_allocator;
GRANT USAGE ON SCHEMA public TO app_analyst;
GRANT USAGE ON SCHEMA public TO app_dba;
GRANT USAGE ON SCHEMA public TO app_credits;


--
-- Name: FUNCTION gtrgm_in(cstring); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_in(cstring) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_out(public.gtrgm); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_out(public.gtrgm) FROM PUBLIC;


--
-- Name: FUNCTION _app_settings_validate(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._app_settings_validate() FROM PUBLIC;


--
-- Name: FUNCTION _append_only_guard(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._append_only_guard() FROM PUBLIC;


--
-- Name: FUNCTION _audit(p_action text, p_entity text, p_entity_id text, p_reason text, p_before jsonb, p_after jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._audit(p_action text, p_entity text, p_entity_id text, p_reason text, p_before jsonb, p_after jsonb) FROM PUBLIC;


--
-- Name: FUNCTION _audit_row_change(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._audit_row_change() FROM PUBLIC;


--
-- Name: FUNCTION _campaign_money_exact(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._campaign_money_exact() FROM PUBLIC;


--
-- Name: FUNCTION _contribution_cycles_money_exact(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._contribution_cycles_money_exact() FROM PUBLIC;


--
-- Name: FUNCTION _contributions_ledger_money_exact(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._contributions_ledger_money_exact() FROM PUBLIC;


--
-- Name: FUNCTION _credit_available_check(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_available_check() FROM PUBLIC;


--
-- Name: FUNCTION _credit_campaign_guard(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_campaign_guard() FROM PUBLIC;


--
-- Name: FUNCTION _credit_campaign_settle(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_campaign_settle() FROM PUBLIC;


--
-- Name: TABLE "CreditTransaction"; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public."CreditTransaction" TO app_dba;


--
-- Name: FUNCTION _credit_charge_late(p_campaign_id text, p_used numeric, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_charge_late(p_campaign_id text, p_used numeric, p_detail jsonb) FROM PUBLIC;


--
-- Name: TABLE "CreditReservation"; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public."CreditReservation" TO app_dba;


--
-- Name: COLUMN "CreditReservation".status; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(status) ON TABLE public."CreditReservation" TO app_dba;


--
-- Name: COLUMN "CreditReservation"."releasedAt"; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE("releasedAt") ON TABLE public."CreditReservation" TO app_dba;


--
-- Name: COLUMN "CreditReservation".meta; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(meta) ON TABLE public."CreditReservation" TO app_dba;


--
-- Name: FUNCTION _credit_consume_reservation(p_reservation_id text, p_used numeric, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_consume_reservation(p_reservation_id text, p_used numeric, p_detail jsonb) FROM PUBLIC;


--
-- Name: FUNCTION _credit_release_reservation(p_reservation_id text, p_status text, p_reason text, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_release_reservation(p_reservation_id text, p_status text, p_reason text, p_detail jsonb) FROM PUBLIC;


--
-- Name: FUNCTION _credit_reservation_audit(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_reservation_audit() FROM PUBLIC;


--
-- Name: FUNCTION _credit_reservation_guard(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_reservation_guard() FROM PUBLIC;


--
-- Name: FUNCTION _credit_reservation_money_exact(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_reservation_money_exact() FROM PUBLIC;


--
-- Name: FUNCTION _credit_settle_campaign(p_campaign_id text, p_status text, p_credits_used numeric, p_settled_by text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_settle_campaign(p_campaign_id text, p_status text, p_credits_used numeric, p_settled_by text) FROM PUBLIC;


--
-- Name: FUNCTION _credit_transaction_check(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_transaction_check() FROM PUBLIC;


--
-- Name: FUNCTION _credit_transaction_money_exact(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_transaction_money_exact() FROM PUBLIC;


--
-- Name: FUNCTION _credit_transaction_post(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_transaction_post() FROM PUBLIC;


--
-- Name: FUNCTION _credit_wallet_guard(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._credit_wallet_guard() FROM PUBLIC;


--
-- Name: FUNCTION _has_visible_character(p_text text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._has_visible_character(p_text text) FROM PUBLIC;


--
-- Name: FUNCTION _ledger_after_insert(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._ledger_after_insert() FROM PUBLIC;


--
-- Name: FUNCTION _ledger_check_correction(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._ledger_check_correction() FROM PUBLIC;


--
-- Name: TABLE contribution_cycles; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.contribution_cycles TO app_dba;


--
-- Name: FUNCTION _ledger_cycle_upsert(p_ikimina_id uuid, p_yyyymm integer, p_amount numeric); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._ledger_cycle_upsert(p_ikimina_id uuid, p_yyyymm integer, p_amount numeric) FROM PUBLIC;


--
-- Name: TABLE contributions_ledger; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.contributions_ledger TO app_dba;


--
-- Name: FUNCTION _ledger_entry_for_update(p_ledger_id bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._ledger_entry_for_update(p_ledger_id bigint) FROM PUBLIC;


--
-- Name: TABLE ibimina_members; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.ibimina_members TO app_dba;


--
-- Name: FUNCTION _member_for_allocation(p_member_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._member_for_allocation(p_member_id uuid) FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_balance_check(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_balance_check() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_cases(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_cases() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_close_inbox(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_close_inbox() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_holds_close(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_holds_close() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_parse(p_ids bigint[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_parse(p_ids bigint[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_post_ledger(p_timezone text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_post_ledger(p_timezone text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_record_sms_failure(p_inbox_id bigint, p_message text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_record_sms_failure(p_inbox_id bigint, p_message text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_release_linked(p_linked bigint[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_release_linked(p_linked bigint[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_resolve(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_resolve() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_screen(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_screen() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_store(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_store() FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_store_parses(p_claiming boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_store_parses(p_claiming boolean) FROM PUBLIC;


--
-- Name: FUNCTION _momo_alloc_work_open(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_alloc_work_open() FROM PUBLIC;


--
-- Name: FUNCTION _momo_allocate_isolating(p_ids bigint[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_allocate_isolating(p_ids bigint[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_allocate_rows(p_ids bigint[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_allocate_rows(p_ids bigint[]) FROM PUBLIC;


--
-- Name: PROCEDURE _momo_allocator_batches(IN p_only_while_draining boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON PROCEDURE public._momo_allocator_batches(IN p_only_while_draining boolean) FROM PUBLIC;


--
-- Name: TABLE momo_allocator_control; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_allocator_control TO app_dba;


--
-- Name: FUNCTION _momo_allocator_paused(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_allocator_paused() FROM PUBLIC;


--
-- Name: FUNCTION _momo_allocator_record_fault(p_fault jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_allocator_record_fault(p_fault jsonb) FROM PUBLIC;


--
-- Name: FUNCTION _momo_allocator_set_active(p_active boolean, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_allocator_set_active(p_active boolean, p_reason text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_amount(p_text text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_amount(p_text text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_balance_gaps(p_lookback interval); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_balance_gaps(p_lookback interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public._momo_balance_gaps(p_lookback interval) TO app_analyst;
GRANT ALL ON FUNCTION public._momo_balance_gaps(p_lookback interval) TO app_dba;


--
-- Name: FUNCTION _momo_balance_history_forget(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_balance_history_forget() FROM PUBLIC;


--
-- Name: FUNCTION _momo_balance_release(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_balance_release() FROM PUBLIC;


--
-- Name: FUNCTION _momo_balance_release_pick(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_balance_release_pick() FROM PUBLIC;


--
-- Name: FUNCTION _momo_balance_verify(p_accounts text[], p_from timestamp with time zone[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_balance_verify(p_accounts text[], p_from timestamp with time zone[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_balance_walk_lock(p_accounts text[], p_wait boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_balance_walk_lock(p_accounts text[], p_wait boolean) FROM PUBLIC;


--
-- Name: FUNCTION _momo_drain_running(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_drain_running() FROM PUBLIC;


--
-- Name: FUNCTION _momo_fault_is_systemic(p_sqlstate text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_fault_is_systemic(p_sqlstate text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_local_ts(p_text text, p_timezone text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_local_ts(p_text text, p_timezone text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_parse_batch(p_texts text[], p_received_at timestamp with time zone[], p_timezone text, p_country_code text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_parse_batch(p_texts text[], p_received_at timestamp with time zone[], p_timezone text, p_country_code text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_provider_senders_audit(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_provider_senders_audit() FROM PUBLIC;


--
-- Name: FUNCTION _momo_resolve_members(p_msisdns_e164 text[], p_sender_notes text[], p_accounts text[], p_sender_names text[], p_msisdn_suffixes text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_resolve_members(p_msisdns_e164 text[], p_sender_notes text[], p_accounts text[], p_sender_names text[], p_msisdn_suffixes text[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_sms_hash(p_message text, p_msisdn text, p_received_at text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_sms_hash(p_message text, p_msisdn text, p_received_at text) FROM PUBLIC;


--
-- Name: FUNCTION _momo_sms_ingest_rows(p_deliveries public.momo_sms_delivery[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_sms_ingest_rows(p_deliveries public.momo_sms_delivery[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_sms_ingest_validate(p_deliveries public.momo_sms_delivery[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_sms_ingest_validate(p_deliveries public.momo_sms_delivery[]) FROM PUBLIC;


--
-- Name: FUNCTION _momo_suggest_member(p_msisdn_suffix text, p_sender_name text, p_ikimina_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_suggest_member(p_msisdn_suffix text, p_sender_name text, p_ikimina_id uuid) FROM PUBLIC;


--
-- Name: FUNCTION _momo_summary(p_processed integer, p_errors jsonb, p_fault jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_summary(p_processed integer, p_errors jsonb, p_fault jsonb) FROM PUBLIC;


--
-- Name: FUNCTION _momo_summary_add(p_left public.momo_allocation_summary, p_right public.momo_allocation_summary); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_summary_add(p_left public.momo_allocation_summary, p_right public.momo_allocation_summary) FROM PUBLIC;


--
-- Name: FUNCTION _momo_summary_jsonb(p_summary public.momo_allocation_summary); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_summary_jsonb(p_summary public.momo_allocation_summary) FROM PUBLIC;


--
-- Name: FUNCTION _momo_summary_of_work(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._momo_summary_of_work() FROM PUBLIC;


--
-- Name: FUNCTION _money_exact(p_name text, p_value numeric); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._money_exact(p_name text, p_value numeric) FROM PUBLIC;


--
-- Name: FUNCTION _monitoring_cron_jobs(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._monitoring_cron_jobs() FROM PUBLIC;
GRANT ALL ON FUNCTION public._monitoring_cron_jobs() TO app_analyst;
GRANT ALL ON FUNCTION public._monitoring_cron_jobs() TO app_dba;


--
-- Name: FUNCTION _monitoring_history_trim(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._monitoring_history_trim() FROM PUBLIC;


--
-- Name: FUNCTION _msisdn_e164(p_raw text, p_country_code text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._msisdn_e164(p_raw text, p_country_code text) FROM PUBLIC;


--
-- Name: FUNCTION _payer_name_key(p_name text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._payer_name_key(p_name text) FROM PUBLIC;


--
-- Name: FUNCTION _payer_name_words(p_name text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._payer_name_words(p_name text) FROM PUBLIC;


--
-- Name: FUNCTION _payer_words_agree(p_words text[], p_other text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._payer_words_agree(p_words text[], p_other text[]) FROM PUBLIC;


--
-- Name: TABLE queue_samples; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.queue_samples TO app_analyst;
GRANT SELECT ON TABLE monitoring.queue_samples TO app_dba;


--
-- Name: FUNCTION _queue_sample(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._queue_sample() FROM PUBLIC;


--
-- Name: FUNCTION _regex_captures(p_text text, p_pattern text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_captures(p_text text, p_pattern text) FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_captures(p_text text, p_pattern text) TO app_dba;


--
-- Name: FUNCTION _regex_engine(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_engine() FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_engine() TO app_dba;


--
-- Name: FUNCTION _regex_first_match(p_texts text[], p_keywords text[], p_patterns text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_first_match(p_texts text[], p_keywords text[], p_patterns text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_first_match(p_texts text[], p_keywords text[], p_patterns text[]) TO app_dba;


--
-- Name: FUNCTION _regex_first_match_perl(p_texts text[], p_keywords text[], p_patterns text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_first_match_perl(p_texts text[], p_keywords text[], p_patterns text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_first_match_perl(p_texts text[], p_keywords text[], p_patterns text[]) TO app_dba;


--
-- Name: FUNCTION _regex_first_match_postgres(p_texts text[], p_keywords text[], p_patterns text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_first_match_postgres(p_texts text[], p_keywords text[], p_patterns text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_first_match_postgres(p_texts text[], p_keywords text[], p_patterns text[]) TO app_dba;


--
-- Name: FUNCTION _regex_group_names(p_pattern text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_group_names(p_pattern text) FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_group_names(p_pattern text) TO app_dba;


--
-- Name: FUNCTION _regex_strip_group_names(p_pattern text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._regex_strip_group_names(p_pattern text) FROM PUBLIC;
GRANT ALL ON FUNCTION public._regex_strip_group_names(p_pattern text) TO app_dba;


--
-- Name: TABLE momo_parsed_txns; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_parsed_txns TO app_dba;


--
-- Name: TABLE momo_unmatched; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_unmatched TO app_dba;


--
-- Name: TABLE remembered_payers; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.remembered_payers TO app_dba;


--
-- Name: FUNCTION _remembered_payer_add(p_case public.momo_unmatched, p_parsed public.momo_parsed_txns, p_ikimina_id uuid, p_member public.ibimina_members); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._remembered_payer_add(p_case public.momo_unmatched, p_parsed public.momo_parsed_txns, p_ikimina_id uuid, p_member public.ibimina_members) FROM PUBLIC;


--
-- Name: FUNCTION _require_argument(p_ok boolean, p_message text, p_column text, p_hint text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._require_argument(p_ok boolean, p_message text, p_column text, p_hint text) FROM PUBLIC;


--
-- Name: FUNCTION _require_audited_table(p_relid oid, p_trigger_function regprocedure); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._require_audited_table(p_relid oid, p_trigger_function regprocedure) FROM PUBLIC;


--
-- Name: FUNCTION _require_money(p_name text, p_value numeric, p_required boolean, p_allow_zero boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._require_money(p_name text, p_value numeric, p_required boolean, p_allow_zero boolean) FROM PUBLIC;


--
-- Name: FUNCTION _require_text(p_value text, p_message text, p_column text, p_hint text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._require_text(p_value text, p_message text, p_column text, p_hint text) FROM PUBLIC;


--
-- Name: FUNCTION _setting(p_key text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._setting(p_key text) FROM PUBLIC;


--
-- Name: FUNCTION _wallet_money_exact(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public._wallet_money_exact() FROM PUBLIC;


--
-- Name: FUNCTION account_relabel(p_old text, p_account text, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.account_relabel(p_old text, p_account text, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.account_relabel(p_old text, p_account text, p_reason text) TO app_dba;


--
-- Name: FUNCTION app_readiness(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.app_readiness() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_readiness() TO app_ingest;
GRANT ALL ON FUNCTION public.app_readiness() TO app_allocator;
GRANT ALL ON FUNCTION public.app_readiness() TO app_analyst;
GRANT ALL ON FUNCTION public.app_readiness() TO app_dba;
GRANT ALL ON FUNCTION public.app_readiness() TO app_credits;


--
-- Name: FUNCTION balance_anchor_confirm(p_inbox_id bigint, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.balance_anchor_confirm(p_inbox_id bigint, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.balance_anchor_confirm(p_inbox_id bigint, p_reason text) TO app_dba;


--
-- Name: TABLE collection_accounts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.collection_accounts TO app_dba;


--
-- Name: FUNCTION collection_account_add(p_ikimina_id uuid, p_account text, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.collection_account_add(p_ikimina_id uuid, p_account text, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.collection_account_add(p_ikimina_id uuid, p_account text, p_reason text) TO app_dba;


--
-- Name: FUNCTION collection_account_remove(p_account text, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.collection_account_remove(p_account text, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.collection_account_remove(p_account text, p_reason text) TO app_dba;


--
-- Name: FUNCTION credit_consume(p_campaign_id text, p_used numeric, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.credit_consume(p_campaign_id text, p_used numeric, p_detail jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.credit_consume(p_campaign_id text, p_used numeric, p_detail jsonb) TO app_credits;


--
-- Name: FUNCTION credit_expire(p_reservation_id text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.credit_expire(p_reservation_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.credit_expire(p_reservation_id text) TO app_credits;
GRANT ALL ON FUNCTION public.credit_expire(p_reservation_id text) TO app_dba;


--
-- Name: FUNCTION credit_reconcile(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.credit_reconcile() FROM PUBLIC;
GRANT ALL ON FUNCTION public.credit_reconcile() TO app_dba;


--
-- Name: FUNCTION credit_release(p_reservation_id text, p_reason text, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.credit_release(p_reservation_id text, p_reason text, p_detail jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.credit_release(p_reservation_id text, p_reason text, p_detail jsonb) TO app_credits;
GRANT ALL ON FUNCTION public.credit_release(p_reservation_id text, p_reason text, p_detail jsonb) TO app_dba;


--
-- Name: FUNCTION credit_reserve(p_campaign_id text, p_amount numeric, p_expires_in interval); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.credit_reserve(p_campaign_id text, p_amount numeric, p_expires_in interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.credit_reserve(p_campaign_id text, p_amount numeric, p_expires_in interval) TO app_credits;


--
-- Name: FUNCTION credit_top_up(p_shop_id text, p_amount numeric, p_reference text, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.credit_top_up(p_shop_id text, p_amount numeric, p_reference text, p_detail jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.credit_top_up(p_shop_id text, p_amount numeric, p_reference text, p_detail jsonb) TO app_credits;


--
-- Name: FUNCTION cycle_adjust(p_ikimina_id uuid, p_yyyymm integer, p_expected_amount numeric, p_status text, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.cycle_adjust(p_ikimina_id uuid, p_yyyymm integer, p_expected_amount numeric, p_status text, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.cycle_adjust(p_ikimina_id uuid, p_yyyymm integer, p_expected_amount numeric, p_status text, p_reason text) TO app_dba;


--
-- Name: FUNCTION gin_extract_query_trgm(text, internal, smallint, internal, internal, internal, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gin_extract_query_trgm(text, internal, smallint, internal, internal, internal, internal) FROM PUBLIC;


--
-- Name: FUNCTION gin_extract_value_trgm(text, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gin_extract_value_trgm(text, internal) FROM PUBLIC;


--
-- Name: FUNCTION gin_trgm_consistent(internal, smallint, text, integer, internal, internal, internal, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gin_trgm_consistent(internal, smallint, text, integer, internal, internal, internal, internal) FROM PUBLIC;


--
-- Name: FUNCTION gin_trgm_triconsistent(internal, smallint, text, integer, internal, internal, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gin_trgm_triconsistent(internal, smallint, text, integer, internal, internal, internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_compress(internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_compress(internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_consistent(internal, text, smallint, oid, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_consistent(internal, text, smallint, oid, internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_decompress(internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_decompress(internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_distance(internal, text, smallint, oid, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_distance(internal, text, smallint, oid, internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_options(internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_options(internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_penalty(internal, internal, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_penalty(internal, internal, internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_picksplit(internal, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_picksplit(internal, internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_same(public.gtrgm, public.gtrgm, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_same(public.gtrgm, public.gtrgm, internal) FROM PUBLIC;


--
-- Name: FUNCTION gtrgm_union(internal, internal); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.gtrgm_union(internal, internal) FROM PUBLIC;


--
-- Name: FUNCTION ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text) TO app_dba;


--
-- Name: FUNCTION ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text) TO app_dba;


--
-- Name: FUNCTION ledger_reverse(p_ledger_id bigint, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.ledger_reverse(p_ledger_id bigint, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.ledger_reverse(p_ledger_id bigint, p_reason text) TO app_dba;


--
-- Name: FUNCTION momo_allocate(p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_allocate(p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_allocate(p_limit integer) TO app_allocator;


--
-- Name: PROCEDURE momo_allocator_assist(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON PROCEDURE public.momo_allocator_assist() FROM PUBLIC;


--
-- Name: PROCEDURE momo_allocator_drain(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON PROCEDURE public.momo_allocator_drain() FROM PUBLIC;


--
-- Name: FUNCTION momo_allocator_pause(p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_allocator_pause(p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_allocator_pause(p_reason text) TO app_dba;


--
-- Name: FUNCTION momo_allocator_resume(p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_allocator_resume(p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_allocator_resume(p_reason text) TO app_dba;


--
-- Name: FUNCTION momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone) TO app_allocator;
GRANT ALL ON FUNCTION public.momo_parse_sms(p_raw_text text, p_received_at timestamp with time zone) TO app_dba;


--
-- Name: FUNCTION momo_sms_ingest(p_message text, p_msisdn text, p_received_at text, p_ingest_source text, p_metadata jsonb, p_receiving_account text, p_gateway text, p_gateway_message_id text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_sms_ingest(p_message text, p_msisdn text, p_received_at text, p_ingest_source text, p_metadata jsonb, p_receiving_account text, p_gateway text, p_gateway_message_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_sms_ingest(p_message text, p_msisdn text, p_received_at text, p_ingest_source text, p_metadata jsonb, p_receiving_account text, p_gateway text, p_gateway_message_id text) TO app_ingest;


--
-- Name: FUNCTION momo_sms_ingest_batch(p_deliveries public.momo_sms_delivery[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_sms_ingest_batch(p_deliveries public.momo_sms_delivery[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_sms_ingest_batch(p_deliveries public.momo_sms_delivery[]) TO app_ingest;


--
-- Name: TABLE momo_sms_inbox; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_sms_inbox TO app_dba;


--
-- Name: FUNCTION momo_sms_requeue(p_inbox_id bigint, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.momo_sms_requeue(p_inbox_id bigint, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.momo_sms_requeue(p_inbox_id bigint, p_reason text) TO app_dba;


--
-- Name: FUNCTION remembered_payer_forget(p_id bigint, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.remembered_payer_forget(p_id bigint, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.remembered_payer_forget(p_id bigint, p_reason text) TO app_dba;


--
-- Name: FUNCTION set_limit(real); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.set_limit(real) FROM PUBLIC;


--
-- Name: TABLE app_settings; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.app_settings TO app_dba;


--
-- Name: FUNCTION setting_set(p_key text, p_value text, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.setting_set(p_key text, p_value text, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.setting_set(p_key text, p_value text, p_reason text) TO app_dba;


--
-- Name: FUNCTION show_limit(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.show_limit() FROM PUBLIC;


--
-- Name: FUNCTION show_trgm(text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.show_trgm(text) FROM PUBLIC;


--
-- Name: FUNCTION similarity(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.similarity(text, text) FROM PUBLIC;


--
-- Name: FUNCTION similarity_dist(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.similarity_dist(text, text) FROM PUBLIC;


--
-- Name: FUNCTION similarity_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.similarity_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION strict_word_similarity(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.strict_word_similarity(text, text) FROM PUBLIC;


--
-- Name: FUNCTION strict_word_similarity_commutator_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.strict_word_similarity_commutator_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION strict_word_similarity_dist_commutator_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.strict_word_similarity_dist_commutator_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION strict_word_similarity_dist_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.strict_word_similarity_dist_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION strict_word_similarity_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.strict_word_similarity_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION unmatched_resolve(p_case_id bigint, p_note text, p_member_id uuid, p_amount numeric, p_remember_payer boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.unmatched_resolve(p_case_id bigint, p_note text, p_member_id uuid, p_amount numeric, p_remember_payer boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.unmatched_resolve(p_case_id bigint, p_note text, p_member_id uuid, p_amount numeric, p_remember_payer boolean) TO app_dba;


--
-- Name: FUNCTION word_similarity(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.word_similarity(text, text) FROM PUBLIC;


--
-- Name: FUNCTION word_similarity_commutator_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.word_similarity_commutator_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION word_similarity_dist_commutator_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.word_similarity_dist_commutator_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION word_similarity_dist_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.word_similarity_dist_op(text, text) FROM PUBLIC;


--
-- Name: FUNCTION word_similarity_op(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.word_similarity_op(text, text) FROM PUBLIC;


--
-- Name: TABLE accounts_without_group; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.accounts_without_group TO app_analyst;
GRANT SELECT ON TABLE monitoring.accounts_without_group TO app_dba;


--
-- Name: TABLE "Wallet"; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public."Wallet" TO app_dba;


--
-- Name: TABLE momo_allocator_faults; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_allocator_faults TO app_dba;


--
-- Name: TABLE alerts; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.alerts TO app_analyst;
GRANT SELECT ON TABLE monitoring.alerts TO app_dba;


--
-- Name: TABLE allocations_per_minute; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.allocations_per_minute TO app_analyst;
GRANT SELECT ON TABLE monitoring.allocations_per_minute TO app_dba;


--
-- Name: TABLE allocator_faults; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.allocator_faults TO app_analyst;
GRANT SELECT ON TABLE monitoring.allocator_faults TO app_dba;


--
-- Name: TABLE audit_log; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.audit_log TO app_dba;


--
-- Name: TABLE allocator_status; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.allocator_status TO app_analyst;
GRANT SELECT ON TABLE monitoring.allocator_status TO app_dba;


--
-- Name: TABLE balance_gaps; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.balance_gaps TO app_analyst;
GRANT SELECT ON TABLE monitoring.balance_gaps TO app_dba;


--
-- Name: TABLE momo_balance_holds; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_balance_holds TO app_dba;


--
-- Name: TABLE balance_holds; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.balance_holds TO app_analyst;
GRANT SELECT ON TABLE monitoring.balance_holds TO app_dba;


--
-- Name: TABLE credit_reservation_stats; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.credit_reservation_stats TO app_analyst;
GRANT SELECT ON TABLE monitoring.credit_reservation_stats TO app_dba;


--
-- Name: TABLE "Campaign"; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public."Campaign" TO app_credits;
GRANT SELECT ON TABLE public."Campaign" TO app_dba;


--
-- Name: COLUMN "Campaign".name; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(name) ON TABLE public."Campaign" TO app_credits;


--
-- Name: COLUMN "Campaign".status; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(status) ON TABLE public."Campaign" TO app_credits;


--
-- Name: COLUMN "Campaign"."creditsUsed"; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE("creditsUsed") ON TABLE public."Campaign" TO app_credits;


--
-- Name: TABLE credit_reservations_leaked; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.credit_reservations_leaked TO app_analyst;
GRANT SELECT ON TABLE monitoring.credit_reservations_leaked TO app_dba;


--
-- Name: TABLE credit_transaction_totals; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.credit_transaction_totals TO app_analyst;
GRANT SELECT ON TABLE monitoring.credit_transaction_totals TO app_dba;


--
-- Name: TABLE cron_jobs; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.cron_jobs TO app_analyst;
GRANT SELECT ON TABLE monitoring.cron_jobs TO app_dba;


--
-- Name: TABLE dead_letters; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.dead_letters TO app_analyst;
GRANT SELECT ON TABLE monitoring.dead_letters TO app_dba;


--
-- Name: TABLE duplicates; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.duplicates TO app_analyst;
GRANT SELECT ON TABLE monitoring.duplicates TO app_dba;


--
-- Name: TABLE error_rates; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.error_rates TO app_analyst;
GRANT SELECT ON TABLE monitoring.error_rates TO app_dba;


--
-- Name: TABLE inbox_errors; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.inbox_errors TO app_analyst;
GRANT SELECT ON TABLE monitoring.inbox_errors TO app_dba;


--
-- Name: TABLE ledger_totals; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.ledger_totals TO app_analyst;
GRANT SELECT ON TABLE monitoring.ledger_totals TO app_dba;


--
-- Name: TABLE overview; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.overview TO app_analyst;
GRANT SELECT ON TABLE monitoring.overview TO app_dba;


--
-- Name: TABLE ibimina; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.ibimina TO app_dba;


--
-- Name: TABLE payer_matching_daily; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.payer_matching_daily TO app_analyst;
GRANT SELECT ON TABLE monitoring.payer_matching_daily TO app_dba;


--
-- Name: TABLE queue_history; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.queue_history TO app_analyst;
GRANT SELECT ON TABLE monitoring.queue_history TO app_dba;


--
-- Name: TABLE queue_sizes; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.queue_sizes TO app_analyst;
GRANT SELECT ON TABLE monitoring.queue_sizes TO app_dba;


--
-- Name: TABLE momo_balance_history; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.momo_balance_history TO app_dba;


--
-- Name: TABLE suspected_forgeries; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.suspected_forgeries TO app_analyst;
GRANT SELECT ON TABLE monitoring.suspected_forgeries TO app_dba;


--
-- Name: TABLE unmatched_open; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.unmatched_open TO app_analyst;
GRANT SELECT ON TABLE monitoring.unmatched_open TO app_dba;


--
-- Name: TABLE wallet_reconciliation; Type: ACL; Schema: monitoring; Owner: -
--

GRANT SELECT ON TABLE monitoring.wallet_reconciliation TO app_analyst;
GRANT SELECT ON TABLE monitoring.wallet_reconciliation TO app_dba;


--
-- Name: TABLE credit_reconcile_runs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.credit_reconcile_runs TO app_dba;


--
-- Name: TABLE momo_provider_senders; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.momo_provider_senders TO app_dba;


--
-- Name: TABLE momo_sms_formats; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.momo_sms_formats TO app_dba;


--
-- Name: COLUMN momo_sms_formats.priority; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(priority) ON TABLE public.momo_sms_formats TO app_dba;


--
-- Name: COLUMN momo_sms_formats.enabled; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(enabled) ON TABLE public.momo_sms_formats TO app_dba;


--
-- Name: COLUMN momo_sms_formats.description; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(description) ON TABLE public.momo_sms_formats TO app_dba;


--
-- Name: TABLE profiles; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.profiles TO app_dba;


--
-- Name: TABLE remembered_payers_list; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.remembered_payers_list TO app_dba;


--
-- PostgreSQL database dump complete
--


