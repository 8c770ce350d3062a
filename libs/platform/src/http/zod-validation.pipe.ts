import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/**
 * Validates one request part (a path parameter, the query, the body) with a zod schema. A failure is a
 * 400 whose problem+json body (rendered by the platform's ProblemDetailsFilter) names every invalid field
 * in `errors`, so a client sees exactly what to fix.
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    /** The name of the validated part when it is a single value (a path parameter), for the message. */
    private readonly field?: string,
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors = result.error.issues.map((issue) => {
      const path = [this.field, ...issue.path.map(String)]
        .filter((p) => p !== undefined && p !== '')
        .join('.');
      return { field: path, message: issue.message };
    });
    throw new BadRequestException({
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    });
  }
}
