"""`__in` on integer columns with values no column can hold.

Django drops an out-of-range integer from `=`, `<` and `>` lookups (it cannot match),
but passes it on in `IN (...)`, where SQLite's driver raises OverflowError: a form's
multiple choice of objects (`ModelMultipleChoiceField`) then turns a posted
"99999999999999999999" into a 500 instead of "not a valid choice". This `in` lookup
leaves such values out, as they can never match; registered in accounts/apps.py.
"""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            # Nothing left: the lookup raises EmptyResultSet (no row matches), as for [].
            self.rhs = [v for v in self.rhs if not isinstance(v, int)
                        or ((low is None or v >= low) and (high is None or v <= high))]
        return super().process_rhs(compiler, connection)
