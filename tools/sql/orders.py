"""Orders on SQL, with their status history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tools.errors import Conflict, InvalidInput, NotFound
from tools.ids import ContactId, OrderId, new_id
from tools.orders import (
    ORDER_TRANSITIONS,
    Delivery,
    NewOrder,
    Order,
    OrderItem,
    OrderStatus,
    StatusChange,
)
from tools.sql._unit import Change, SqlBase, fingerprint
from tools.sql.engine import reading
from tools.sql.schema import order_history, orders


async def _duplicate_number(error: IntegrityError) -> Order:
    raise Conflict("an order with this number already exists") from error


class SqlOrders(SqlBase):
    """`OrderStore` on SQLite or PostgreSQL."""

    async def create_order(self, order: NewOrder, *, key: str, actor: str = "system") -> Order:
        """Record an order."""
        if not order.items or any(item.quantity <= 0 for item in order.items):
            raise InvalidInput("an order needs at least one item, each with a positive quantity")

        async def work(connection: AsyncConnection) -> str:
            contact = await self._live_row(connection, order.contact_id)
            now = self._clock.now()
            order_id = new_id("or")
            total = sum(item.quantity * item.unit_price_minor for item in order.items)
            await connection.execute(
                insert(orders).values(
                    id=order_id,
                    number=order.number,
                    contact_id=contact.id,
                    items=[asdict(item) for item in order.items],
                    total_minor=total,
                    currency=order.currency,
                    status=OrderStatus.PLACED.value,
                    delivery=asdict(order.delivery),
                    email=order.email,
                    phone=order.phone,
                    created_at=now,
                    updated_at=now,
                )
            )
            await connection.execute(
                insert(order_history).values(
                    order_id=order_id, status=OrderStatus.PLACED.value, at=now, note=None, actor=actor
                )
            )
            await self.record(
                connection,
                Change(
                    "order.created",
                    "order",
                    order_id,
                    f"order {order.number}, {total / 100:.2f} {order.currency}",
                ),
                actor=actor,
                key=key,
                contact_id=contact.id,
            )
            return order_id

        return await self.write(
            key=key,
            operation="create_order",
            request=fingerprint(order),
            work=work,
            load=lambda oid: self.get_order(OrderId(oid)),
            on_conflict=_duplicate_number,
        )

    async def _order(self, connection: AsyncConnection, row: Row[Any]) -> Order:
        history = (
            await connection.execute(
                select(order_history).where(order_history.c.order_id == row.id).order_by(order_history.c.id)
            )
        ).all()
        return Order(
            id=OrderId(row.id),
            number=row.number,
            contact_id=ContactId(row.contact_id),
            items=tuple(OrderItem(**item) for item in row.items),
            total_minor=row.total_minor,
            currency=row.currency,
            status=OrderStatus(row.status),
            history=tuple(StatusChange(OrderStatus(h.status), h.at, h.note, h.actor) for h in history),
            delivery=Delivery(**row.delivery),
            email=row.email,
            phone=row.phone,
            created_at=row.created_at,
        )

    async def _row(self, connection: AsyncConnection, order_id: str, *, lock: bool = False) -> Row[Any]:
        query = select(orders).where(orders.c.id == order_id)
        row = (await connection.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            raise NotFound(f"no order {order_id!r}")
        return row

    async def get_order(self, order_id: OrderId) -> Order:
        """Return an order (NotFound if none)."""
        async with reading(self._engine) as connection:
            return await self._order(connection, await self._row(connection, order_id))

    async def order_by_number(self, number: str) -> Order | None:
        """Find an order by its customer-facing number."""
        async with reading(self._engine) as connection:
            row = (await connection.execute(select(orders).where(orders.c.number == number))).first()
            return await self._order(connection, row) if row is not None else None

    async def set_order_status(
        self,
        order_id: OrderId,
        status: OrderStatus,
        *,
        key: str,
        actor: str = "system",
        note: str | None = None,
    ) -> Order:
        """Move an order on (Conflict if not allowed); the change joins its history."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._row(connection, order_id, lock=True)
            current = OrderStatus(row.status)
            if status not in ORDER_TRANSITIONS[current]:
                raise Conflict(f"order {row.number} is {current.value}; it cannot become {status.value}")
            now = self._clock.now()
            await connection.execute(
                update(orders).where(orders.c.id == order_id).values(status=status.value, updated_at=now)
            )
            await connection.execute(
                insert(order_history).values(
                    order_id=order_id, status=status.value, at=now, note=note, actor=actor
                )
            )
            await self.record(
                connection,
                Change(
                    f"order.{status.value}",
                    "order",
                    order_id,
                    f"order {row.number}: {current.value} → {status.value}",
                ),
                actor=actor,
                key=key,
                contact_id=row.contact_id,
            )
            return str(order_id)

        return await self.write(
            key=key,
            operation="order_status",
            request=fingerprint(order_id, status, note),
            work=work,
            load=lambda oid: self.get_order(OrderId(oid)),
        )

    async def update_delivery(
        self, order_id: OrderId, delivery: Delivery, *, key: str, actor: str = "system"
    ) -> Order:
        """Replace the delivery details (tracking number, date)."""

        async def work(connection: AsyncConnection) -> str:
            row = await self._row(connection, order_id, lock=True)
            await connection.execute(
                update(orders)
                .where(orders.c.id == order_id)
                .values(delivery=asdict(delivery), updated_at=self._clock.now())
            )
            await self.audit(
                connection,
                Change(
                    "order.delivery",
                    "order",
                    order_id,
                    f"delivery {delivery.method} {delivery.tracking_number or ''}".strip(),
                ),
                actor=actor,
                key=key,
            )
            return str(row.id)

        return await self.write(
            key=key,
            operation="order_delivery",
            request=fingerprint(order_id, delivery),
            work=work,
            load=lambda oid: self.get_order(OrderId(oid)),
        )

    async def list_orders(self, *, contact_id: ContactId | None = None) -> list[Order]:
        """Orders, newest first."""
        query = select(orders).order_by(orders.c.created_at.desc(), orders.c.id.desc())
        async with reading(self._engine) as connection:
            if contact_id is not None:
                query = query.where(orders.c.contact_id == (await self._live_row(connection, contact_id)).id)
            return [await self._order(connection, row) for row in (await connection.execute(query)).all()]
