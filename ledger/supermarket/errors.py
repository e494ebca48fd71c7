"""The rules of the points supermarket, one exception each (shops, consent, redemptions, settlement)."""

from ledger.core.errors import Conflict, Invalid, NotFound, Refused


class ShopNotFound(NotFound):
    slug = "shop-not-found"
    title = "No such shop."


class ItemNotFound(NotFound):
    slug = "item-not-found"
    title = "No such item in this shop's catalogue."


class RedemptionNotFound(NotFound):
    slug = "redemption-not-found"
    title = "No such redemption."


class SettlementNotFound(NotFound):
    slug = "settlement-not-found"
    title = "No such settlement."


class ItemExists(Conflict):
    slug = "item-exists"
    title = "The shop already has an item with this sku."


class ItemInactive(Refused):
    slug = "item-inactive"
    title = "The item is not on sale."


class ServiceHasNoStock(Invalid):
    slug = "service-has-no-stock"
    title = "A service in the catalogue keeps no stock: it is unlimited."


class OutOfStock(Refused):
    slug = "out-of-stock"
    title = "Not enough of the item is left in stock."


class DuplicateLine(Invalid):
    slug = "duplicate-line"
    title = "Each sku may appear on one line only."


class MemberNotInShopCommunity(NotFound):
    slug = "member-not-found"
    title = "No such member."


class ConsentRefused(Refused):
    slug = "consent-refused"
    title = "The member's consent code or PIN was not accepted."


class RedemptionLocked(Refused):
    slug = "redemption-locked"
    title = "Too many wrong codes or PINs: redemptions for this member are locked for a while."


class PinNotAllowed(Invalid):
    slug = "pin-not-allowed"
    title = "A PIN is 4 to 8 digits and not a trivial sequence."


class HoldExpired(Conflict):
    slug = "hold-expired"
    title = "The hold has expired; its points are no longer reserved."


class RedemptionNotHeld(Conflict):
    slug = "redemption-not-held"
    title = "Only a hold can be captured or voided."


class RedemptionNotCaptured(Conflict):
    slug = "redemption-not-captured"
    title = "Only a captured redemption can be refunded."


class RefundTooLarge(Refused):
    slug = "refund-too-large"
    title = "A refund may not exceed what was captured and not yet refunded."


class NothingToSettle(Conflict):
    slug = "nothing-to-settle"
    title = "The shop has no captured redemptions or refunds since its last settlement."
