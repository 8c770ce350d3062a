import { bigintTransformer } from '@orderstream/platform';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { PaymentStatus } from '../payment/payment.state-machine';

/** The payment of one order (see the state machine in `payment/payment.state-machine.ts`). */
@Entity({ name: 'payments' })
export class PaymentEntity {
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: bigintTransformer })
  amountCents!: number;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  /** The decline or refund reason; null while authorized. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
