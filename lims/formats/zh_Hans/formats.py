# ISO 8601 dates in every language: GMP records and labels use YYYY-MM-DD (ALCOA+: legible, unambiguous).
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
# Counts grouped by three with a comma, as CLDR's zh locale and the browser's Intl (zh-CN) write them, so that a
# count the server renders reads like the same count the page's script updates (Django's zh_Hans groups nothing).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
