import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Stock of one SKU. Reserving moves units from `available` to `reserved`; the checks keep both
 * non-negative, so concurrent reservations cannot oversell. `announced_version` is not mapped: only the
 * stock-level announcer reads and writes it, in SQL.
 */
@Entity({ name: 'stock_items' })
export class StockItemEntity {
  @PrimaryColumn({ type: 'text' })
  sku!: string;

  @Column({ type: 'integer' })
  available!: number;

  @Column({ type: 'integer', default: 0 })
  reserved!: number;

  /** Grows with every change of the level (a trigger); see the stock-level-versions migration. */
  @Column({
    type: 'bigint',
    default: 1,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  version!: number;

  /** Set when the SKU is withdrawn from sale: no new reservations, a tombstone on its stock-level key. */
  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
