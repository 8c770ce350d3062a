import { bigintTransformer } from '@orderstream/platform';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order as stored; the table is created by migrations, never from this class. */
@Entity({ name: 'orders' })
export class OrderEntity {
  /** Chosen by the service, not the database: it is the Kafka key of every event about the order. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  status!: OrderStatus;

  @Column({ name: 'total_cents', type: 'bigint', transformer: bigintTransformer })
  totalCents!: number;

  /** ISO 4217 code, e.g. EUR. */
  @Column({ type: 'char', length: 3 })
  currency!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
