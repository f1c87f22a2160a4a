"""The audit log's serialisation format: Django's JSON, with times to the microsecond.

Django's JSON encoder keeps milliseconds only, so a row restored from the audit log (a recovered
record, a rolled-back import) would come back with its timestamps rounded: not the record as it
was. This format writes full ISO 8601; Django reads it back with its usual deserialiser.
Registered as ``json_exact`` in ``SERIALIZATION_MODULES``.
"""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
