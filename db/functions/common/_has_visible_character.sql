create or replace function _has_visible_character(p_text text)
returns boolean
language sql
immutable
parallel safe
-- No SET clause, so the planner can inline it (only built-ins).
as $$
    -- Locale-independent: anything but controls, spaces (ASCII and Unicode), the
    -- invisible format characters (zero-width, soft hyphen, marks) and the BOM.
    select coalesce(
        p_text ~ '[^\u0001-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0]',
        false
    );
$$;

comment on function _has_visible_character(text) is
'True when p_text contains at least one visible character: not only spaces, tabs, newlines, '
'other control characters or invisible Unicode (no-break and zero-width spaces, BOM, ...). The '
'one rule for reasons and notes (_require_text).';
