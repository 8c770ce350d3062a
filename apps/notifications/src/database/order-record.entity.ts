import { bigintTransformer } from '@orderstream/platform';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** What notifications keeps of one placed order (see `record-order/record-order.use-case.ts`). */
@Entity({ name: 'order_records' })
export class OrderRecordEntity {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'item_count', type: 'integer' })
  itemCount!: number;

  @Column({ name: 'total_cents', type: 'bigint', transformer: bigintTransformer })
  totalCents!: number;

  @Column({ type: 'text' })
  currency!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
