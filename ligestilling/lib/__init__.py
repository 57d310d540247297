"""Pure code at the bottom of the project.

Modules here import no app of this project (Django itself is allowed where a module says
so), so every app can use them without import cycles. Today: `privacy`, the one detector
of person identifiers in free text. Issue 13 moves statistics, disclosure control and
Danish number formatting here later.
"""
