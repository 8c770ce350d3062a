import { bigintTransformer } from '@orderstream/platform';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A customer's credit: payment authorizations reserve part of it, refunds release it. The database
 * enforces `reserved <= limit`, so two concurrent authorizations can never overspend.
 */
@Entity({ name: 'customer_accounts' })
export class CustomerAccountEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'credit_limit_cents', type: 'bigint', transformer: bigintTransformer })
  creditLimitCents!: number;

  @Column({ name: 'reserved_cents', type: 'bigint', default: 0, transformer: bigintTransformer })
  reservedCents!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
