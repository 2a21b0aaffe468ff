create or replace function _momo_fault_is_systemic(p_sqlstate text)
returns boolean
language sql
immutable
parallel safe
set search_path = pg_catalog, pg_temp
as $$
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

comment on function _momo_fault_is_systemic(text) is
'True for errors that say nothing about the SMS being allocated (connection loss, deadlock, '
'serialization failure, lock or statement timeout, cancel, shutdown, out of memory or disk, '
'I/O, missing privilege, function, table or column after a bad deploy): such a failure is '
'retried later as a whole, never bisected or charged to rows.';
