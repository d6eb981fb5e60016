from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Production"), [
        (_("Batches"), "production:batch-list", "production.view_batch"),
        (_("New batch"), "production:batch-create", "production.add_batch"),
        (_("Material lots"), "production:materiallot-list", "production.view_materiallot"),
        (_("Capacity"), "production:capacity", "production.view_line"),
        (_("Products"), "production:product-list", "production.view_product"),
        (_("Materials"), "production:material-list", "production.view_material"),
        (_("Lines"), "production:line-list", "production.view_line"),
        (_("Clean rooms"), "production:cleanroom-list", "production.view_cleanroom"),
        (_("Reject reasons"), "production:rejectreason-list", "production.view_rejectreason"),
    ]),
]
